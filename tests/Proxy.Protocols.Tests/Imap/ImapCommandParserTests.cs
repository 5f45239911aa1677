using System.Buffers;
using System.Text;
using Proxy.Protocols.Imap;

namespace Proxy.Protocols.Tests.Imap;

public sealed class ImapCommandParserTests
{
    [Fact]
    public void TryParse_TagAndCommand_UpperCasesName()
    {
        var command = ParseOne("a1 capability\r\n");

        Assert.Equal("a1", command.Tag);
        Assert.Equal("CAPABILITY", command.Name);
        Assert.Empty(command.Arguments);
    }

    [Fact]
    public void TryParse_BareLf_EndsCommand()
    {
        Assert.Equal("NOOP", ParseOne("a NOOP\n").Name);
    }

    [Fact]
    public void TryParse_TagWithResponseSpecial_IsAccepted()
    {
        Assert.Equal("a]1", ParseOne("a]1 NOOP\r\n").Tag);
    }

    [Fact]
    public void TryParse_AtomArguments_AreAtoms()
    {
        var command = ParseOne("a LOGIN user@example.com p]ss!\r\n");

        Assert.All(command.Arguments, a => Assert.Equal(ImapArgumentKind.Atom, a.Kind));
        Assert.Equal(["user@example.com", "p]ss!"], Strings(command));
    }

    [Fact]
    public void TryParse_QuotedWithEscapes_Unescapes()
    {
        var command = ParseOne("a LOGIN \"us er\" \"p\\\"a\\\\ss\"\r\n");

        Assert.Equal(ImapArgumentKind.Quoted, command.Arguments[0].Kind);
        Assert.Equal(["us er", "p\"a\\ss"], Strings(command));
    }

    [Fact]
    public void TryParse_ManyShortQuotedStrings_AllocatesLittlePerArgument()
    {
        // Found by the fuzzer (seed 1792586025): an ID list of ~100 two-letter strings made the
        // parser allocate ~40 KB for a 600-byte line, a growing buffer's default capacity per string.
        var line = "c ID (" + string.Join(' ', Enumerable.Repeat("\"Th\"", 95)) + ")\r\n";
        var input = Bytes(line);
        var parser = new ImapCommandParser(1000, 1000);

        var before = GC.GetAllocatedBytesForCurrentThread();
        var status = parser.TryParse(input, out _, out _, out var command);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(ImapParseStatus.Complete, status);
        Assert.Equal(95, command!.Arguments[0].Items.Count);
        // An argument costs its object, its bytes and its slot in the list: about 110 bytes here, 370 before the fix.
        Assert.True(allocated < 95 * 200, $"{allocated} bytes allocated for 95 arguments");
    }

    [Fact]
    public void TryParse_EmptyQuoted_IsEmptyString()
    {
        Assert.Equal([""], Strings(ParseOne("a X \"\"\r\n")));
    }

    [Fact]
    public void TryParse_SynchronizingLiteral_AnnouncesThenCompletes()
    {
        var parser = new ImapCommandParser(100, 100);
        var buffer = Bytes("a LOGIN {4}\r\n");

        Assert.Equal(ImapParseStatus.LiteralAnnounced, parser.TryParse(buffer, out var consumed, out _, out _));
        Assert.Equal(4, parser.LiteralSize);
        Assert.True(parser.LiteralIsSynchronizing);
        Assert.Equal("a", parser.Tag);
        Assert.Equal(buffer.End, consumed);

        // The literal bytes arrive only after the continuation.
        var partial = Bytes("us");
        Assert.Equal(ImapParseStatus.Incomplete, parser.TryParse(partial, out consumed, out var examined, out _));
        Assert.Equal(partial.Start, consumed);
        Assert.Equal(partial.End, examined);

        var rest = Bytes("us\r\n \"pw\"\r\n");
        Assert.Equal(ImapParseStatus.Complete, parser.TryParse(rest, out consumed, out _, out var command));
        Assert.Equal(rest.End, consumed);
        Assert.Equal(ImapArgumentKind.Literal, command!.Arguments[0].Kind);
        Assert.Equal(["us\r\n", "pw"], Strings(command));
    }

    [Fact]
    public void TryParse_NonSynchronizingLiteral_AnnouncesAndContinuesInSameBuffer()
    {
        var parser = new ImapCommandParser(100, 100);
        var buffer = Bytes("a LOGIN {4+}\r\nuser {2+}\r\npw\r\nb NOOP\r\n");

        Assert.Equal(ImapParseStatus.LiteralAnnounced, parser.TryParse(buffer, out var consumed, out _, out _));
        Assert.False(parser.LiteralIsSynchronizing);
        buffer = buffer.Slice(consumed);
        Assert.Equal(ImapParseStatus.LiteralAnnounced, parser.TryParse(buffer, out consumed, out _, out _));
        Assert.Equal(2, parser.LiteralSize);
        buffer = buffer.Slice(consumed);
        Assert.Equal(ImapParseStatus.Complete, parser.TryParse(buffer, out consumed, out _, out var command));
        Assert.Equal(["user", "pw"], Strings(command!));
        Assert.Equal("b NOOP\r\n", Encoding.ASCII.GetString(buffer.Slice(consumed).ToArray()));
    }

    [Fact]
    public void TryParse_ZeroLengthLiteral_IsEmptyString()
    {
        var results = ParseAll("a X {0}\r\n\r\n");

        Assert.Equal([ImapParseStatus.LiteralAnnounced, ImapParseStatus.Complete], results.Select(r => r.Status));
        Assert.Equal([""], Strings(results[^1].Command!));
    }

    [Fact]
    public void TryParse_LiteralInsideList_KeepsListOpenAcrossSegments()
    {
        var results = ParseAll("a ID (\"name\" {3}\r\nfoo \"version\" NIL)\r\n");

        var command = results[^1].Command!;
        var list = Assert.Single(command.Arguments);
        Assert.Equal(ImapArgumentKind.List, list.Kind);
        Assert.Equal(4, list.Items.Count);
        Assert.Equal(ImapArgumentKind.Literal, list.Items[1].Kind);
        Assert.True(list.Items[3].IsNil);
    }

    [Fact]
    public void TryParse_NilAtomAndQuotedNil_OnlyAtomIsNil()
    {
        var command = ParseOne("a ID (\"k\" NIL \"x\" \"NIL\") nil\r\n");

        Assert.True(command.Arguments[0].Items[1].IsNil);
        Assert.False(command.Arguments[0].Items[3].IsNil);
        Assert.True(command.Arguments[1].IsNil);
    }

    [Fact]
    public void TryParse_NestedAndEmptyLists_Parse()
    {
        var command = ParseOne("a X (a (b c) ()) d\r\n");

        Assert.Equal(2, command.Arguments.Count);
        Assert.Equal(3, command.Arguments[0].Items.Count);
        Assert.Empty(command.Arguments[0].Items[2].Items);
    }

    [Fact]
    public void TryParse_CommandSplitOverReads_IsIncompleteUntilLineEnd()
    {
        var parser = new ImapCommandParser(100, 100);

        Assert.Equal(ImapParseStatus.Incomplete, parser.TryParse(Bytes("a NO"), out _, out _, out _));
        Assert.Equal(ImapParseStatus.Complete, parser.TryParse(Bytes("a NOOP\r\n"), out _, out _, out var command));
        Assert.Equal("NOOP", command!.Name);
    }

    [Theory]
    [InlineData("\r\n", null)]
    [InlineData(" NOOP\r\n", null)]
    [InlineData("a+b NOOP\r\n", null)]
    [InlineData("a\r\n", "a")]
    [InlineData("a  NOOP\r\n", "a")]
    [InlineData("a NOOP \r\n", "a")]
    [InlineData("a NOOP  x\r\n", "a")]
    [InlineData("a LOGIN \"unterminated\r\n", "a")]
    [InlineData("a LOGIN \"bad\\escape\" x\r\n", "a")]
    [InlineData("a LOGIN \"tr\\\r\n", "a")]
    [InlineData("a LOGIN \"caf\u00e9\" x\r\n", "a")]
    [InlineData("a LOGIN x\"y\" z\r\n", "a")]
    [InlineData("a LOGIN (x\r\n", "a")]
    [InlineData("a LOGIN x)\r\n", "a")]
    [InlineData("a LOGIN ( x)\r\n", "a")]
    [InlineData("a LOGIN (x )\r\n", "a")]
    [InlineData("a LOGIN us*er x\r\n", "a")]
    [InlineData("a LOGIN caf\u00e9 x\r\n", "a")]
    [InlineData("a LOGIN {}\r\n", "a")]
    [InlineData("a LOGIN {-1}\r\n", "a")]
    [InlineData("a LOGIN {1a}\r\n", "a")]
    [InlineData("a LOGIN {+}\r\n", "a")]
    [InlineData("a LOGIN {5} x\r\n", "a")]
    [InlineData("a LOGIN {5\r\n", "a")]
    [InlineData("a LOGIN {12345678901}\r\n", "a")]
    [InlineData("a LOGIN {4294967296}\r\n", "a")]
    [InlineData("a LOGIN ~{5}\r\n", "a")]
    [InlineData("a LOGIN x{5}\r\n", "a")]
    [InlineData("a X ((((((((((x))))))))))\r\n", "a")]
    public void TryParse_MalformedLine_IsMalformedWithTagWhenKnown(string input, string? tag)
    {
        var parser = new ImapCommandParser(100, 100);
        var buffer = Bytes(input);

        var status = parser.TryParse(buffer, out var consumed, out _, out var command);

        Assert.Equal(ImapParseStatus.Malformed, status);
        Assert.Null(command);
        Assert.Equal(tag, parser.Tag);
        Assert.NotNull(parser.Error);
        Assert.Equal(buffer.End, consumed);
    }

    [Fact]
    public void TryParse_AfterMalformedLine_ParsesNextCommand()
    {
        var results = ParseAll("a LOGIN (\r\nb NOOP\r\n");

        Assert.Equal([ImapParseStatus.Malformed, ImapParseStatus.Complete], results.Select(r => r.Status));
        Assert.Equal("b", results[1].Command!.Tag);
    }

    [Fact]
    public void TryParse_IdWithThirtyPairs_IsComplete()
    {
        var pairs = string.Join(' ', Enumerable.Range(0, 30).Select(i => $"\"f{i}\" \"v{i}\""));

        Assert.Equal(60, ParseOne($"a ID ({pairs})\r\n").Arguments.Single().Items.Count);
    }

    [Fact]
    public void TryParse_MoreThanHundredArguments_IsMalformedAndNextCommandParses()
    {
        var parser = new ImapCommandParser(10240, 100);
        var atoms = string.Join(' ', Enumerable.Repeat("x", 101));

        var status = parser.TryParse(Bytes($"a AUTHENTICATE {atoms}\r\n"), out _, out _, out _);

        Assert.Equal(ImapParseStatus.Malformed, status);
        Assert.Equal("Too many arguments.", parser.Error);
        Assert.Equal("a", parser.Tag);
        Assert.Equal(ImapParseStatus.Complete, parser.TryParse(Bytes($"b NOOP {string.Join(' ', Enumerable.Repeat("x", 100))}\r\n"), out _, out _, out _));
    }

    [Theory]
    [InlineData("a LOGIN ) {5+}\r\n", true)]
    [InlineData("a LOGIN ) {5}\r\n", false)]
    [InlineData("a LOGIN {99999999999999999999+}\r\n", true)]
    [InlineData("a LOGIN {-1+}\r\n", false)]
    [InlineData("a LOGIN (\r\n", false)]
    public void TryParse_MalformedLineEndingInLiteralPlus_SaysTheLiteralIsAbandoned(string input, bool abandoned)
    {
        var parser = new ImapCommandParser(100, 100);

        Assert.Equal(ImapParseStatus.Malformed, parser.TryParse(Bytes(input), out _, out _, out _));
        Assert.Equal(abandoned, parser.AbandonedLiteral);
    }

    [Fact]
    public void TryParse_NulInLine_IsMalformed()
    {
        var parser = new ImapCommandParser(100, 100);

        Assert.Equal(ImapParseStatus.Malformed, parser.TryParse(Bytes("a LOGIN u\0 p\r\n"), out _, out _, out _));
    }

    [Fact]
    public void TryParse_LineLongerThanMax_IsLineTooLong()
    {
        var parser = new ImapCommandParser(20, 100);
        var buffer = Bytes("a LOGIN " + new string('x', 30) + "\r\n");

        Assert.Equal(ImapParseStatus.LineTooLong, parser.TryParse(buffer, out var consumed, out _, out _));
        Assert.Equal(buffer.Start, consumed);
    }

    [Fact]
    public void TryParse_NoLineEndPastMax_IsLineTooLongWithoutWaiting()
    {
        var parser = new ImapCommandParser(20, 100);

        Assert.Equal(ImapParseStatus.LineTooLong, parser.TryParse(Bytes(new string('x', 25)), out _, out _, out _));
    }

    [Fact]
    public void TryParse_SegmentsTogetherLongerThanMax_IsLineTooLong()
    {
        var results = ParseAll("a LOGIN {1}\r\nx " + new string('y', 15) + "\r\n", maxLine: 20);

        Assert.Equal([ImapParseStatus.LiteralAnnounced, ImapParseStatus.LineTooLong], results.Select(r => r.Status));
    }

    [Theory]
    [InlineData("a LOGIN {101}\r\n", true)]
    [InlineData("a LOGIN {101+}\r\n", false)]
    [InlineData("a LOGIN {4294967295}\r\n", true)]
    public void TryParse_LiteralLargerThanMax_IsLiteralTooLargeAndLineConsumed(string input, bool synchronizing)
    {
        var parser = new ImapCommandParser(100, 100);
        var buffer = Bytes(input);

        Assert.Equal(ImapParseStatus.LiteralTooLarge, parser.TryParse(buffer, out var consumed, out _, out _));
        Assert.Equal(synchronizing, parser.LiteralIsSynchronizing);
        Assert.Equal("a", parser.Tag);
        Assert.Equal(buffer.End, consumed);
    }

    [Fact]
    public void TryParse_LiteralsTogetherLargerThanMax_IsLiteralTooLarge()
    {
        var results = ParseAll("a LOGIN {60+}\r\n" + new string('u', 60) + " {60+}\r\n", maxLiteral: 100);

        Assert.Equal([ImapParseStatus.LiteralAnnounced, ImapParseStatus.LiteralTooLarge], results.Select(r => r.Status));
    }

    [Fact]
    public void TryParse_LiteralExactlyMax_IsAnnounced()
    {
        var parser = new ImapCommandParser(100, 100);

        Assert.Equal(ImapParseStatus.LiteralAnnounced, parser.TryParse(Bytes("a LOGIN {100}\r\n"), out _, out _, out _));
    }

    [Fact]
    public void TryGetString_InvalidUtf8Literal_IsFalse()
    {
        var parser = new ImapCommandParser(100, 100);
        parser.TryParse(Bytes("a LOGIN {1+}\r\n"), out _, out _, out _);
        parser.TryParse(new ReadOnlySequence<byte>([0xFF, (byte)' ', (byte)'p', (byte)'\r', (byte)'\n']), out _, out _, out var command);

        Assert.False(command!.Arguments[0].TryGetString(out _));
        Assert.True(command.Arguments[1].TryGetString(out var password));
        Assert.Equal("p", password);
    }

    private static ImapCommand ParseOne(string input)
    {
        var parser = new ImapCommandParser(1000, 1000);
        var status = parser.TryParse(Bytes(input), out _, out _, out var command);
        Assert.True(status == ImapParseStatus.Complete, $"{status}: {parser.Error}");
        return command!;
    }

    private static List<(ImapParseStatus Status, ImapCommand? Command)> ParseAll(string input, int maxLine = 100, int maxLiteral = 100)
    {
        var parser = new ImapCommandParser(maxLine, maxLiteral);
        var buffer = Bytes(input);
        var results = new List<(ImapParseStatus, ImapCommand?)>();
        while (!buffer.IsEmpty)
        {
            var status = parser.TryParse(buffer, out var consumed, out _, out var command);
            if (status == ImapParseStatus.Incomplete)
            {
                break;
            }

            results.Add((status, command));
            if (status == ImapParseStatus.LineTooLong)
            {
                break;
            }

            buffer = buffer.Slice(consumed);
        }

        return results;
    }

    private static string[] Strings(ImapCommand command) =>
        [.. command.Arguments.Select(a => Encoding.UTF8.GetString(a.Value.Span))];

    private static ReadOnlySequence<byte> Bytes(string text) => new(Encoding.UTF8.GetBytes(text));
}
