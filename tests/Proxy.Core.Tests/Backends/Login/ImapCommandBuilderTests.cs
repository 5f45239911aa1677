using System.Text;
using Proxy.Core.Backends.Login;

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

    [Fact]
    public void AppendAfterContinuation_StartsChunkSentAfterPlus()
    {
        var chunks = new ImapCommandBuilder(literalPlus: true).Append("P1 AUTHENTICATE PLAIN").AppendAfterContinuation("AGEAYg==").Build();

        Assert.Equal(["P1 AUTHENTICATE PLAIN\r\n", "AGEAYg==\r\n"], chunks.Select(Encoding.UTF8.GetString));
    }
}
