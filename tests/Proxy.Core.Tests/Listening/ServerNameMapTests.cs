using Proxy.Core.Listening;

namespace Proxy.Core.Tests.Listening;

public sealed class ServerNameMapTests
{
    private readonly ServerNameMap<string> _map = new();

    public ServerNameMapTests()
    {
        _map.TryAdd("mail.contoso.com", "exact");
        _map.TryAdd("*.contoso.com", "wildcard");
        _map.TryAdd("imap.fabrikam.com.", "fabrikam");
    }

    [Theory]
    [InlineData("mail.contoso.com", "exact")]
    [InlineData("MAIL.Contoso.COM", "exact")]
    [InlineData("mail.contoso.com.", "exact")]
    [InlineData("imap.contoso.com", "wildcard")]
    [InlineData("pop3.CONTOSO.com", "wildcard")]
    [InlineData("imap.fabrikam.com", "fabrikam")]
    public void Find_MappedName_ItsValue(string serverName, string expected) => Assert.Equal(expected, _map.Find(serverName));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("contoso.com")]
    [InlineData("a.b.contoso.com")]
    [InlineData("mail.contoso.com.evil.example")]
    [InlineData("xcontoso.com")]
    [InlineData("pop3.fabrikam.com")]
    public void Find_NoNameOrUnmappedName_Null(string? serverName) => Assert.Null(_map.Find(serverName));

    [Fact]
    public void TryAdd_SameNameTwice_FirstKept()
    {
        Assert.False(_map.TryAdd("Mail.Contoso.com", "second"));
        Assert.Equal("exact", _map.Find("mail.contoso.com"));
    }

    [Theory]
    [InlineData("mail.contoso.com", false)]
    [InlineData("*.contoso.com", true)]
    [InlineData(" Mail.Contoso.com. ", false)]
    [InlineData("under_score.contoso.com", false)]
    [InlineData("localhost", false)]
    public void TryNormalize_ValidName_Accepted(string pattern, bool wildcard)
    {
        Assert.True(ServerNamePattern.TryNormalize(pattern, out var normalized, out var isWildcard, out var error), error);
        Assert.Equal(wildcard, isWildcard);
        Assert.Equal(normalized.ToLowerInvariant(), normalized);
        Assert.False(normalized.EndsWith('.'));
    }

    [Theory]
    [InlineData("", "is empty")]
    [InlineData("*.", "wildcard")]
    [InlineData("127.0.0.1", "IP address")]
    [InlineData("::1", "IP address")]
    [InlineData("mail.*.contoso.com", "wildcard")]
    [InlineData("m*.contoso.com", "wildcard")]
    [InlineData("*.*.contoso.com", "wildcard")]
    [InlineData("müller.example", "xn--")]
    [InlineData("-bad.example", "not a host name")]
    [InlineData("bad..example", "not a host name")]
    [InlineData("mail contoso.com", "not a host name")]
    public void TryNormalize_InvalidName_RefusedWithReason(string pattern, string reason)
    {
        Assert.False(ServerNamePattern.TryNormalize(pattern, out _, out _, out var error));
        Assert.Contains(reason, error);
    }
}
