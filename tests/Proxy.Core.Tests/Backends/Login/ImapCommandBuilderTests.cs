using System.Buffers;
using System.Text;
using Proxy.Core.Backends.Login;
using Proxy.Protocols.Imap;

namespace Proxy.Core.Tests.Backends.Login;

public sealed class ImapCommandBuilderTests
{
    [Theory]
    [InlineData("alice@contoso.lab", "alice@contoso.lab")]
    [InlineData("CONTOSO\\alice", "\"CONTOSO\\\\alice\"")]
    [InlineData("a]b", "a]b")]
    [InlineData("", "\"\"")]
    [InlineData("two words", "\"two words\"")]
    [InlineData("a \"b\" \\c d", "\"a \\\"b\\\" \\\\c d\"")]
    [InlineData("{5}", "\"{5}\"")]
    [InlineData("100%", "\"100%\"")]
    [InlineData("a*", "\"a*\"")]
    [InlineData("(x)", "\"(x)\"")]
    [InlineData("NIL", "\"NIL\"")]
    public void AppendAstring_PrintableAscii_AtomOrQuoted(string value, string expected)
    {
        var chunks = new ImapCommandBuilder(literalPlus: false).Append("P1 LOGIN ").AppendAstring(value).Build();

        Assert.Equal($"P1 LOGIN {expected}\r\n", Encoding.UTF8.GetString(Assert.Single(chunks)));
    }

    [Fact]
    public void AppendAstring_LineBreakWithoutLiteralPlus_SplitsAtSynchronizingLiteral()
    {
        var chunks = new ImapCommandBuilder(literalPlus: false)
            .Append("P1 LOGIN ").AppendAstring("us\ter").Append(" ").AppendAstring("pa\r\nss").Build();

        Assert.Equal(["P1 LOGIN {5}\r\n", "us\ter {6}\r\n", "pa\r\nss\r\n"], chunks.Select(Encoding.UTF8.GetString));
    }

    [Fact]
    public void AppendAstring_EightBitWithLiteralPlus_OneChunkWithByteCount()
    {
        var chunks = new ImapCommandBuilder(literalPlus: true).Append("P1 LOGIN alice ").AppendAstring("größe").Build();

        Assert.Equal([.. "P1 LOGIN alice {7+}\r\n"u8, .. Encoding.UTF8.GetBytes("größe"), .. "\r\n"u8], Assert.Single(chunks));
    }

    /// <summary>Values that try to end the LOGIN early, open a literal, or smuggle a second command.</summary>
    public static TheoryData<string> HostileValues =>
    [
        "alice@contoso.lab\" \"x",
        "alice@contoso.lab\r\na LOGOUT",
        "alice\r\nP2 LOGIN bob secret",
        "x\" LOGIN \"bob",
        "\\\"",
        "\\",
        "\"",
        "{5}",
        "{5+}\r\nhello",
        "pass {12}",
        "p\u00e4ss w\u00f6rd",
        "\u65e5\u672c",
        "a\rb",
        "a\nb",
        "\r\n",
        ")(*%]",
        "NIL",
        " leading and trailing ",
        "tab\there",
    ];

    /// <summary>
    /// Whatever the value, the backend reads exactly one command, LOGIN, with exactly two
    /// arguments that are the values sent: checked by parsing the bytes on the wire with an
    /// IMAP parser, with and without LITERAL+.
    /// </summary>
    [Theory]
    [MemberData(nameof(HostileValues))]
    public void AppendAstring_HostileValue_BackendParsesExactlyOneLoginWithTheseArguments(string value)
    {
        foreach (var literalPlus in new[] { false, true })
        {
            var chunks = new ImapCommandBuilder(literalPlus).Append("P1 LOGIN ").AppendAstring(value).Append(" ").AppendAstring(value + "2").Build();

            var commands = ParseAll([.. chunks.SelectMany(c => c)]);

            var login = Assert.Single(commands);
            Assert.Equal(("P1", "LOGIN"), (login.Tag, login.Name));
            Assert.Equal(2, login.Arguments.Count);
            Assert.True(login.Arguments[0].TryGetString(out var user));
            Assert.True(login.Arguments[1].TryGetString(out var password));
            Assert.Equal(value, user);
            Assert.Equal(value + "2", password);

            // Control characters and 8-bit travel only inside a literal; a synchronizing one waits for the server's "+".
            var synchronizing = !literalPlus && value.Any(c => c is < ' ' or > '~');
            Assert.Equal(synchronizing ? 3 : 1, chunks.Count);
        }
    }

    [Fact]
    public void AppendAfterContinuation_StartsChunkSentAfterPlus()
    {
        var chunks = new ImapCommandBuilder(literalPlus: true).Append("P1 AUTHENTICATE PLAIN").AppendAfterContinuation("AGEAYg==").Build();

        Assert.Equal(["P1 AUTHENTICATE PLAIN\r\n", "AGEAYg==\r\n"], chunks.Select(Encoding.UTF8.GetString));
    }

    private static List<ImapCommand> ParseAll(byte[] wire)
    {
        var parser = new ImapCommandParser(10240, 8192);
        var commands = new List<ImapCommand>();
        var buffer = new ReadOnlySequence<byte>(wire);
        while (true)
        {
            var status = parser.TryParse(buffer, out var consumed, out _, out var command);
            buffer = buffer.Slice(consumed);
            switch (status)
            {
                case ImapParseStatus.Complete:
                    commands.Add(command!);
                    break;
                case ImapParseStatus.LiteralAnnounced:
                    break;
                case ImapParseStatus.Incomplete:
                    Assert.True(buffer.IsEmpty, $"{buffer.Length} bytes left after the last command");
                    return commands;
                default:
                    Assert.Fail($"the backend would read {status}: {parser.Error}");
                    break;
            }
        }
    }
}
