using System.Buffers;
using System.Text;
using Proxy.Protocols.Pop3;

namespace Proxy.Protocols.Tests.Pop3;

public sealed class Pop3CommandParserTests
{
    [Theory]
    [InlineData("capa\r\n", "CAPA")]
    [InlineData("Quit\n", "QUIT")]
    [InlineData("TOP\r\n", "TOP")]
    public void TryParse_Keyword_IsCaseInsensitive(string input, string keyword)
    {
        var command = ParseOne(input);

        Assert.Equal(keyword, command.Keyword);
        Assert.Empty(command.Arguments);
    }

    [Fact]
    public void TryParse_Arguments_SplitOnSingleSpaces()
    {
        Assert.Equal(["1", "10"], ParseOne("TOP 1 10\r\n").Arguments);
    }

    [Fact]
    public void TryParse_Pass_TakesRestOfLineWithSpaces()
    {
        var command = ParseOne("PASS  my secret pass \r\n");

        Assert.Equal([" my secret pass "], command.Arguments);
    }

    [Fact]
    public void TryParse_PassLongerThan40_IsAccepted()
    {
        var password = new string('p', 100);

        Assert.Equal([password], ParseOne($"PASS {password}\r\n").Arguments);
    }

    [Fact]
    public void TryParse_AuthInitialResponseLongerThan40_IsAccepted()
    {
        var response = new string('A', 200);

        Assert.Equal(["PLAIN", response], ParseOne($"AUTH PLAIN {response}\r\n").Arguments);
    }

    [Fact]
    public void TryParse_Utf8UserName_IsDecoded()
    {
        Assert.Equal(["jos\u00e9"], ParseOne("USER jos\u00e9\r\n").Arguments);
    }

    [Fact]
    public void TryParse_Argument40_IsAccepted()
    {
        Assert.Single(ParseOne($"USER {new string('u', 40)}\r\n").Arguments);
    }

    [Theory]
    [InlineData("\r\n")]
    [InlineData("US\r\n")]
    [InlineData("USERS x\r\n")]
    [InlineData("US3R x\r\n")]
    [InlineData(" USER x\r\n")]
    [InlineData("USER  x\r\n")]
    [InlineData("USER x \r\n")]
    [InlineData("USER a\tb\r\n")]
    [InlineData("USER a\rb\r\n")]
    [InlineData("PASS \r\n")]
    [InlineData("PASS a\rb\r\n")]
    [InlineData("USER a\0b\r\n")]
    [InlineData("USER uuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuu\r\n")]
    [InlineData("AUTH PLAINPLAINPLAINPLAINPLAINPLAINPLAINPLAINPLAIN\r\n")]
    public void TryParse_MalformedLine_IsMalformedAndConsumed(string input)
    {
        var buffer = Bytes(input);

        var status = Pop3CommandParser.TryParse(buffer, 255, out var consumed, out _, out var command, out var error);

        Assert.Equal(Pop3ParseStatus.Malformed, status);
        Assert.Null(command);
        Assert.NotNull(error);
        Assert.Equal(buffer.End, consumed);
    }

    [Fact]
    public void TryParse_InvalidUtf8_IsMalformed()
    {
        var buffer = new ReadOnlySequence<byte>([.. "USER "u8, 0xFF, (byte)'\r', (byte)'\n']);

        Assert.Equal(Pop3ParseStatus.Malformed, Pop3CommandParser.TryParse(buffer, 255, out _, out _, out _, out _));
    }

    [Fact]
    public void TryParse_PartialLine_IsIncomplete()
    {
        Assert.Equal(Pop3ParseStatus.Incomplete, Pop3CommandParser.TryParse(Bytes("USER bo"), 255, out _, out _, out _, out _));
    }

    [Fact]
    public void TryParse_LineLongerThanMax_IsLineTooLong()
    {
        Assert.Equal(Pop3ParseStatus.LineTooLong, Pop3CommandParser.TryParse(Bytes("PASS " + new string('p', 20) + "\r\n"), 10, out _, out _, out _, out _));
        Assert.Equal(Pop3ParseStatus.LineTooLong, Pop3CommandParser.TryParse(Bytes(new string('p', 20)), 10, out _, out _, out _, out _));
    }

    [Fact]
    public void TryParse_Pipelined_ConsumesOneCommand()
    {
        var buffer = Bytes("USER bob\r\nPASS pw\r\n");

        Pop3CommandParser.TryParse(buffer, 255, out var consumed, out _, out _, out _);

        Assert.Equal("PASS pw\r\n", Encoding.ASCII.GetString(buffer.Slice(consumed).ToArray()));
    }

    [Fact]
    public void ToString_NeverShowsArguments()
    {
        Assert.DoesNotContain("secret", ParseOne("PASS secret\r\n").ToString());
    }

    private static Pop3Command ParseOne(string input)
    {
        var status = Pop3CommandParser.TryParse(Bytes(input), 255, out _, out _, out var command, out var error);
        Assert.True(status == Pop3ParseStatus.Complete, $"{status}: {error}");
        return command!;
    }

    private static ReadOnlySequence<byte> Bytes(string text) => new(Encoding.UTF8.GetBytes(text));
}
