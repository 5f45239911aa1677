using System.Net;
using Proxy.Core.Configuration;
using Proxy.Host.Admin;
using Proxy.IntegrationTests.Harness;

namespace Proxy.IntegrationTests.Admin;

/// <summary>
/// The admin API's access rule, for callers the suite cannot be (network tests stay on
/// loopback, so a request from another host is only ever simulated here).
/// </summary>
public sealed class AdminAccessTests
{
    private const string Token = "0123456789abcdef-token";

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("127.8.9.10")]
    [InlineData("::1")]
    [InlineData("::ffff:127.0.0.1")]
    public void NoToken_LoopbackCaller_Allowed(string remote)
    {
        Assert.Equal(AdminAccessDecision.Allowed, AdminAccess.Evaluate(IPAddress.Parse(remote), "127.0.0.1:8080", null, null, null));
    }

    [Theory]
    [InlineData("192.0.2.10")]
    [InlineData("2001:db8::1")]
    [InlineData("::ffff:192.0.2.10")]
    public void NoToken_CallerFromAnotherHost_Refused(string remote)
    {
        Assert.Equal(AdminAccessDecision.NotLoopback, AdminAccess.Evaluate(IPAddress.Parse(remote), "proxy.contoso.lab:8080", null, null, null));
        Assert.Equal(AdminAccessDecision.NotLoopback, AdminAccess.Evaluate(IPAddress.Parse(remote), "proxy.contoso.lab:8080", null, "Bearer anything", ""));
    }

    [Fact]
    public void NoToken_UnknownCaller_Refused()
    {
        Assert.Equal(AdminAccessDecision.NotLoopback, AdminAccess.Evaluate(null, "127.0.0.1", null, null, null));
    }

    [Theory]
    [InlineData("localhost:8080", null, AdminAccessDecision.Allowed)]
    [InlineData("[::1]:8080", null, AdminAccessDecision.Allowed)]
    [InlineData("evil.example:8080", null, AdminAccessDecision.ForeignHost)]
    [InlineData("", null, AdminAccessDecision.ForeignHost)]
    [InlineData("127.0.0.1:8080", "http://127.0.0.1:8080", AdminAccessDecision.Allowed)]
    [InlineData("127.0.0.1:8080", "https://evil.example", AdminAccessDecision.ForeignOrigin)]
    [InlineData("127.0.0.1:8080", "null", AdminAccessDecision.ForeignOrigin)]
    public void NoToken_BrowserHeaders_OnlyTheApisOwnOriginAndHost(string host, string? origin, AdminAccessDecision expected)
    {
        Assert.Equal(expected, AdminAccess.Evaluate(IPAddress.Loopback, host, origin, null, null));
    }

    [Theory]
    [InlineData("192.0.2.10", "Bearer " + Token, AdminAccessDecision.Allowed)]
    [InlineData("127.0.0.1", "bearer " + Token, AdminAccessDecision.Allowed)]
    [InlineData("127.0.0.1", null, AdminAccessDecision.MissingToken)]
    [InlineData("192.0.2.10", "Basic dXNlcjpwYXNz", AdminAccessDecision.MissingToken)]
    [InlineData("192.0.2.10", "Bearer " + Token + "x", AdminAccessDecision.WrongToken)]
    [InlineData("192.0.2.10", "Bearer 0123456789abcdef", AdminAccessDecision.WrongToken)]
    public void Token_RequiredFromEveryCaller_ComparedWhole(string remote, string? authorization, AdminAccessDecision expected)
    {
        Assert.Equal(expected, AdminAccess.Evaluate(IPAddress.Parse(remote), "proxy.contoso.lab:8080", "https://dashboard.contoso.lab", authorization, Token));
    }

    [Fact]
    public void WarnIfExposed_NonLoopbackHttpEndpointWithoutToken_WarnsOncePerEndpoint()
    {
        var logs = new LogCapture();
        var logger = logs.CreateLogger("test");
        IPEndPoint[] endpoints = [new(IPAddress.Loopback, 8080), new(IPAddress.Any, 8081), new(IPAddress.IPv6Any, 8082)];

        AdminAccess.WarnIfExposed(new ProxyOptions(), endpoints, logger);
        AdminAccess.WarnIfExposed(new ProxyOptions { Admin = new AdminOptions { Token = Token } }, endpoints, logger);

        var warnings = logs.WithEventId(3559).ToList();
        Assert.Equal(2, warnings.Count);
        Assert.Contains("0.0.0.0:8081", warnings[0].Message);
        Assert.Contains("Proxy:Admin:Token", warnings[0].Message);
    }

    [Fact]
    public void WarnIfExposed_LoopbackOnly_Silent()
    {
        var logs = new LogCapture();

        AdminAccess.WarnIfExposed(new ProxyOptions(), [new(IPAddress.Loopback, 8080), new(IPAddress.IPv6Loopback, 8080)], logs.CreateLogger("test"));

        Assert.Empty(logs.Entries);
    }
}
