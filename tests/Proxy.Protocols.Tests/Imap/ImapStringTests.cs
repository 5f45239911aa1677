using System.Text;
using Proxy.Protocols.Imap;

namespace Proxy.Protocols.Tests.Imap;

public sealed class ImapStringTests
{
    [Theory]
    [InlineData("user@example.com")]
    [InlineData("a]b")]
    public void Create_SafeAtom_IsAtom(string value)
    {
        var result = ImapString.Create(value, useLiteralPlus: false);

        Assert.Equal(ImapStringKind.Atom, result.Kind);
        Assert.Equal(value, result.Token);
    }

    [Theory]
    [InlineData("", "\"\"")]
    [InlineData("NIL", "\"NIL\"")]
    [InlineData("two words", "\"two words\"")]
    [InlineData("q\"uo\\te", "\"q\\\"uo\\\\te\"")]
    [InlineData("a{5}", "\"a{5}\"")]
    [InlineData("p(a)s%s*", "\"p(a)s%s*\"")]
    public void Create_PrintableNotAtom_IsQuotedAndEscaped(string value, string expected)
    {
        var result = ImapString.Create(value, useLiteralPlus: false);

        Assert.Equal(ImapStringKind.Quoted, result.Kind);
        Assert.Equal(expected, result.Token);
    }

    [Theory]
    [InlineData("caf\u00e9", 5)]
    [InlineData("a\r\nb LOGOUT", 11)]
    [InlineData("tab\there", 8)]
    [InlineData("nul\0", 4)]
    public void Create_NonPrintable_IsSynchronizingLiteral(string value, int length)
    {
        var result = ImapString.Create(value, useLiteralPlus: false);

        Assert.Equal(ImapStringKind.Literal, result.Kind);
        Assert.Equal($"{{{length}}}", result.Token);
        Assert.True(result.IsSynchronizing);
        Assert.Equal(Encoding.UTF8.GetBytes(value), result.LiteralData);
    }

    [Fact]
    public void Create_NonPrintableWithLiteralPlus_IsNonSynchronizingLiteral()
    {
        var result = ImapString.Create("caf\u00e9", useLiteralPlus: true);

        Assert.Equal("{5+}", result.Token);
        Assert.False(result.IsSynchronizing);
    }

    [Fact]
    public void ToString_NeverShowsValue()
    {
        Assert.DoesNotContain("secret", ImapString.Create("secret", false).ToString());
    }
}
