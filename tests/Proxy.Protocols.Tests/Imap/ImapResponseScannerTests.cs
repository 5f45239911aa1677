using System.Text;
using Proxy.Protocols.Imap;

namespace Proxy.Protocols.Tests.Imap;

public sealed class ImapResponseScannerTests
{
    [Fact]
    public void AtBoundary_NothingForwarded_IsTrue()
    {
        var scanner = new ImapResponseScanner();

        Assert.True(scanner.AtBoundary);
        Assert.False(scanner.ServerSaidGoodbye);
    }

    [Theory]
    [InlineData("* 3 EXISTS\r\n", true)]
    [InlineData("* 3 EXISTS\r\na1 OK done\r\n", true)]
    [InlineData("+ idling\r\n", true)]
    [InlineData("* 3 EXI", false)]
    [InlineData("* 3 EXISTS\r", false)]
    [InlineData("* 1 FETCH (BODY[] {5}\r\nhel", false)]
    [InlineData("* 1 FETCH (BODY[] {5}\r\nhello", false)]
    [InlineData("* 1 FETCH (BODY[] {5}\r\nhello)\r\n", true)]
    [InlineData("* 1 FETCH (BINARY[] ~{3}\r\nabc)\r\n", true)]
    [InlineData("* 1 FETCH (BODY[] {0}\r\n)\r\n", true)]
    [InlineData("* 1 FETCH (BODY[] {0}\r\n", false)]
    [InlineData("* OK text with {braces} and {12 in it\r\n", true)]
    public void Observe_WholeStream_AtBoundaryOnlyAfterCompleteResponses(string stream, bool expected)
    {
        var scanner = new ImapResponseScanner();

        scanner.Observe(Encoding.ASCII.GetBytes(stream));

        Assert.Equal(expected, scanner.AtBoundary);
    }

    [Theory]
    [InlineData("", true)]
    [InlineData("+ idling\r\n", true)]
    [InlineData("a5 OK Fetch completed.\r\n", true)]
    [InlineData("* 1 FETCH (BODY[] {3}\r\nabc)\r\n", false)]
    [InlineData("* 1 FETCH (BODY[] {3}\r\nabc)\r\na5 OK done\r\n", true)]
    [InlineData("+ idling\r\n* 4 EXISTS\r\n", false)]
    [InlineData("a5 OK done\r\n* 4 EX", false)]
    public void AtCommandBoundary_OnlyAfterATaggedResponseOrAContinuation(string stream, bool expected)
    {
        var scanner = new ImapResponseScanner();

        scanner.Observe(Encoding.ASCII.GetBytes(stream));

        Assert.Equal(expected, scanner.AtCommandBoundary);
    }

    [Fact]
    public void Observe_LiteralEndingInCrLf_IsNotTakenForTheEndOfTheLine()
    {
        var scanner = new ImapResponseScanner();

        // The chunk ends right after a CRLF that belongs to the message body.
        scanner.Observe("* 1 FETCH (BODY[] {12}\r\nSubject: x\r\n"u8);

        Assert.False(scanner.AtBoundary);
        scanner.Observe(")\r\n"u8);
        Assert.True(scanner.AtBoundary);
    }

    [Fact]
    public void Observe_LiteralHoldingALiteralMarker_SkipsItByCount()
    {
        var scanner = new ImapResponseScanner();
        var body = "a {999}\r\n";

        scanner.Observe(Encoding.ASCII.GetBytes($"* 1 FETCH (BODY[] {{{body.Length}}}\r\n{body})\r\n"));

        Assert.True(scanner.AtBoundary);
    }

    [Fact]
    public void Observe_StreamSplitAtEveryByte_SameAnswerAsWhole()
    {
        var stream = "* 2 FETCH (UID 7 BODY[] {11}\r\nline\r\nline) FLAGS (\\Seen))\r\na5 OK Fetch completed\r\n* BYE going\r\n";
        var whole = new ImapResponseScanner();
        var split = new ImapResponseScanner();

        var bytes = Encoding.ASCII.GetBytes(stream);
        whole.Observe(bytes);
        for (var i = 0; i < bytes.Length; i++)
        {
            split.Observe(bytes.AsSpan(i, 1));
            if (i is >= 29 and <= 41)
            {
                // From the LF that opens the literal (byte 29) through its 11 bytes (30..40) and past them: never a boundary.
                Assert.False(split.AtBoundary, $"boundary at byte {i}");
            }
        }

        Assert.Equal((whole.AtBoundary, whole.ServerSaidGoodbye), (split.AtBoundary, split.ServerSaidGoodbye));
        Assert.True(split.AtBoundary);
        Assert.True(split.ServerSaidGoodbye);
    }

    [Theory]
    [InlineData("* BYE Logging out\r\n", true)]
    [InlineData("* bye shutting down\r\n", true)]
    [InlineData("* BYE\r\n", true)]
    [InlineData("a1 OK done\r\n* OK still here\r\n", false)]
    [InlineData("* BYEBYE\r\n", false)]
    [InlineData("* OK see * BYE later\r\n", false)]
    [InlineData("* 1 FETCH (BODY[] {14}\r\n* BYE inside\r\n)\r\n", false)]
    public void ServerSaidGoodbye_OnlyForAnUntaggedByeLine(string stream, bool expected)
    {
        var scanner = new ImapResponseScanner();

        scanner.Observe(Encoding.ASCII.GetBytes(stream));

        Assert.Equal(expected, scanner.ServerSaidGoodbye);
    }

    [Fact]
    public void Observe_LargeLiteralInManyChunks_BoundaryOnlyAtTheEnd()
    {
        var scanner = new ImapResponseScanner();
        const int size = 1_000_000;
        scanner.Observe(Encoding.ASCII.GetBytes($"* 1 FETCH (BODY[] {{{size}}}\r\n"));
        var chunk = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("0123456789abcdef\r\n", 1000)));

        var sent = 0;
        while (sent + chunk.Length <= size)
        {
            scanner.Observe(chunk);
            sent += chunk.Length;
            Assert.False(scanner.AtBoundary);
        }

        scanner.Observe(chunk.AsSpan(0, size - sent));
        Assert.False(scanner.AtBoundary);
        scanner.Observe(")\r\n"u8);
        Assert.True(scanner.AtBoundary);
    }
}
