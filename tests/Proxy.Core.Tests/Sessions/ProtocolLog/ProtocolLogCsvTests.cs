using Proxy.Core.Sessions.ProtocolLog;

namespace Proxy.Core.Tests.Sessions.ProtocolLog;

public sealed class ProtocolLogCsvTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 4, 5, 6, 7, 890, TimeSpan.Zero);

    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("a,b", "\"a,b\"")]
    [InlineData("say \"hi\"", "\"say \"\"hi\"\"\"")]
    [InlineData("x\r\n2026-01-01T00:00:00.000Z,forged", "\"x\\r\\n2026-01-01T00:00:00.000Z,forged\"")]
    [InlineData("nul\0here", "nul\\0here")]
    [InlineData("tab\there", "tab\\u0009here")]
    [InlineData("back\\slash", "back\\\\slash")]
    [InlineData("line\u2028sep", "line\\u2028sep")]
    [InlineData("#Fields: fake", "\"#Fields: fake\"")]
    [InlineData(" padded ", "\" padded \"")]
    [InlineData("Jürgen 日本", "Jürgen 日本")]
    public void Append_HostileOrUnusualValue_StaysOneEscapedField(string value, string expected)
    {
        var text = ProtocolLogCsv.Append(new System.Text.StringBuilder(), value).ToString();

        Assert.Equal(expected, text);
        Assert.DoesNotContain('\r', text);
        Assert.DoesNotContain('\n', text);
    }

    [Fact]
    public void Format_ValuesWithSeparatorsAndLineBreaks_OneLineOfTwelveFieldsThatReadBack()
    {
        var user = "eve\r\n2026-03-04T05:06:07.890Z,s2,1,,,,0,0,0,LOGIN,forged,R=OK";
        var row = new ProtocolLogRow(Now, "s1", 3, "127.0.0.1:143", "127.0.0.2:5000", user, 12, 34, 56, "LOGIN", "a1 \"quoted\",x ****", "R=NO [AUTHENTICATIONFAILED]");

        var line = ProtocolLogCsv.Format(row);

        Assert.EndsWith("\r\n", line);
        Assert.Equal(1, line.Count(c => c == '\n'));
        var fields = CsvLine.Split(line[..^2]);
        Assert.Equal(12, fields.Length);
        Assert.Equal(["2026-03-04T05:06:07.890Z", "s1", "3", "127.0.0.1:143", "127.0.0.2:5000"], fields[..5]);
        Assert.Equal(@"eve\r\n2026-03-04T05:06:07.890Z,s2,1,,,,0,0,0,LOGIN,forged,R=OK", fields[5]);
        Assert.Equal(["12", "34", "56", "LOGIN", "a1 \"quoted\",x ****", "R=NO [AUTHENTICATIONFAILED]"], fields[6..]);
    }

    [Fact]
    public void Header_ExchangeHeaderLines()
    {
        var header = ProtocolLogCsv.Header("POP3 Protocol Log", Now);

        var lines = header.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(5, lines.Length);
        Assert.StartsWith("#Software: ", lines[0]);
        Assert.StartsWith("#Version: ", lines[1]);
        Assert.Equal("#Log-type: POP3 Protocol Log", lines[2]);
        Assert.Equal("#Date: 2026-03-04T05:06:07.890Z", lines[3]);
        Assert.Equal("#Fields: dateTime,sessionId,seqNumber,sIp,cIp,user,duration,rqsize,rpsize,command,parameters,context", lines[4]);
    }
}
