using Proxy.Core.Configuration;
using Proxy.Core.Discovery;

namespace Proxy.Core.Tests.Discovery;

public sealed class InternalConnectionSettingTests
{
    [Theory]
    [InlineData("cas.contoso.lab:993:SSL", "cas.contoso.lab", 993, BackendMethod.Ssl)]
    [InlineData("cas.contoso.lab:143:TLS", "cas.contoso.lab", 143, BackendMethod.StartTls)]
    [InlineData("cas.contoso.lab:143:", "cas.contoso.lab", 143, BackendMethod.Plain)]
    [InlineData("cas.contoso.lab:143:None", "cas.contoso.lab", 143, BackendMethod.Plain)]
    [InlineData("cas.contoso.lab:143", "cas.contoso.lab", 143, BackendMethod.Plain)]
    [InlineData("cas:995:ssl", "cas", 995, BackendMethod.Ssl)]
    [InlineData("  cas : 110 : tls  ", "cas", 110, BackendMethod.StartTls)]
    [InlineData("10.0.0.5:993:SSL", "10.0.0.5", 993, BackendMethod.Ssl)]
    [InlineData("[2001:db8::1]:993:SSL", "2001:db8::1", 993, BackendMethod.Ssl)]
    [InlineData("[::1]:143:", "::1", 143, BackendMethod.Plain)]
    public void TryParse_ExchangeFormat_ReturnsEndpoint(string text, string host, int port, BackendMethod method)
    {
        Assert.True(InternalConnectionSetting.TryParse(text, out var endpoint, out var error), error);

        Assert.Equal(new BackendEndpoint(host, port, method), endpoint);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("   ", "empty")]
    [InlineData(null, "empty")]
    [InlineData("cas.contoso.lab", "no port")]
    [InlineData("cas.contoso.lab:", "port '' is not 1-65535")]
    [InlineData("cas.contoso.lab:0:SSL", "port '0' is not 1-65535")]
    [InlineData("cas.contoso.lab:65536:SSL", "port '65536' is not 1-65535")]
    [InlineData("cas.contoso.lab:-1:SSL", "port '-1' is not 1-65535")]
    [InlineData("cas.contoso.lab:imap:SSL", "port 'imap' is not 1-65535")]
    [InlineData("cas.contoso.lab:993:STARTTLS", "method 'STARTTLS' is not SSL, TLS, None or blank")]
    [InlineData("cas.contoso.lab:993:SSL:extra", "too many ':'")]
    [InlineData("2001:db8::1:993:SSL", "write an IPv6 host in [brackets]")]
    [InlineData("[2001:db8::1:993:SSL", "an IPv6 host is [address]:port:method")]
    [InlineData("[2001:db8::1]993:SSL", "an IPv6 host is [address]:port:method")]
    [InlineData("[cas.contoso.lab]:993:SSL", "'[cas.contoso.lab]' is not a host name or IP address")]
    [InlineData("bad host:993:SSL", "'bad host' is not a host name or IP address")]
    [InlineData(":993:SSL", "'' is not a host name or IP address")]
    public void TryParse_Malformed_ExplainsTheProblem(string? text, string expected)
    {
        Assert.False(InternalConnectionSetting.TryParse(text, out _, out var error));

        Assert.Contains(expected, error, StringComparison.Ordinal);
    }
}
