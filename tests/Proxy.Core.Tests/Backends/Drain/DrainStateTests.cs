using Proxy.Core.Backends.Drain;
using Proxy.Core.Configuration;
using Proxy.Core.Discovery;

namespace Proxy.Core.Tests.Backends.Drain;

public sealed class DrainStateTests
{
    private static readonly EndpointKey ImapSsl = new(MailProtocol.Imap, BackendMethod.Ssl);

    [Fact]
    public void IsDraining_NothingMarked_False()
    {
        Assert.False(new DrainState().IsDraining("HQ-CAS2007A", MailProtocol.Imap, BackendMethod.Ssl));
    }

    [Fact]
    public void Drain_WholeServer_CoversEveryEndpointCaseInsensitively()
    {
        var drains = new DrainState();

        drains.Drain("HQ-CAS2007A", null);

        Assert.True(drains.IsDraining("hq-cas2007a", MailProtocol.Imap, BackendMethod.Ssl));
        Assert.True(drains.IsDraining("HQ-CAS2007A", MailProtocol.Pop3, BackendMethod.Plain));
        Assert.False(drains.IsDraining("HQ-CAS2007B", MailProtocol.Imap, BackendMethod.Ssl));
    }

    [Fact]
    public void Drain_OneEndpoint_CoversOnlyThatProtocolAndMethod()
    {
        var drains = new DrainState();

        drains.Drain("HQ-CAS2007A", ImapSsl);

        Assert.True(drains.IsDraining("HQ-CAS2007A", MailProtocol.Imap, BackendMethod.Ssl));
        Assert.False(drains.IsDraining("HQ-CAS2007A", MailProtocol.Imap, BackendMethod.StartTls));
        Assert.False(drains.IsDraining("HQ-CAS2007A", MailProtocol.Pop3, BackendMethod.Ssl));
    }

    [Fact]
    public void Undrain_Endpoint_LeavesAWholeServerDrainInForce()
    {
        var drains = new DrainState();
        drains.Drain("A", null);
        drains.Drain("A", ImapSsl);

        var after = drains.Undrain("A", ImapSsl);

        Assert.True(after.Whole);
        Assert.True(drains.IsDraining("A", MailProtocol.Imap, BackendMethod.Ssl));
    }

    [Fact]
    public void Undrain_Server_LiftsEveryMarkOnIt()
    {
        var drains = new DrainState();
        drains.Drain("A", null);
        drains.Drain("A", ImapSsl);

        drains.Undrain("a", null);

        Assert.False(drains.IsDraining("A", MailProtocol.Imap, BackendMethod.Ssl));
        Assert.Empty(drains.Current);
    }

    [Theory]
    [InlineData("imap", "ssl", MailProtocol.Imap, BackendMethod.Ssl)]
    [InlineData("POP3", "StartTls", MailProtocol.Pop3, BackendMethod.StartTls)]
    [InlineData("imap", "plain", MailProtocol.Imap, BackendMethod.Plain)]
    public void EndpointKey_TryParse_KnownNames(string protocol, string method, MailProtocol expectedProtocol, BackendMethod expectedMethod)
    {
        Assert.True(EndpointKey.TryParse(protocol, method, out var key));
        Assert.Equal(new EndpointKey(expectedProtocol, expectedMethod), key);
        Assert.Equal($"{protocol}/{method}".ToLowerInvariant(), key.ToString());
    }

    [Theory]
    [InlineData("smtp", "ssl")]
    [InlineData("imap", "tls")]
    public void EndpointKey_TryParse_UnknownNames_False(string protocol, string method)
    {
        Assert.False(EndpointKey.TryParse(protocol, method, out _));
    }

    [Fact]
    public void DrainFilter_DrainingEndpointsDropped_OrderKept_NothingDrainingPassesTheSameList()
    {
        var drains = new DrainState();
        var a = Server("A");
        var b = Server("B");
        IReadOnlyList<ConnectionAttempt> plan =
        [
            new(a, new BackendEndpoint("a", 993, BackendMethod.Ssl)),
            new(a, new BackendEndpoint("a", 143, BackendMethod.StartTls)),
            new(b, new BackendEndpoint("b", 993, BackendMethod.Ssl)),
            new(b, new BackendEndpoint("b", 143, BackendMethod.StartTls)),
        ];

        Assert.Same(plan, DrainFilter.Apply(drains, MailProtocol.Imap, plan, out var none));
        Assert.Equal(0, none);

        drains.Drain("A", ImapSsl);
        drains.Drain("B", null);
        var filtered = DrainFilter.Apply(drains, MailProtocol.Imap, plan, out var skipped);

        Assert.Equal(3, skipped);
        Assert.Equal([plan[1]], filtered);
    }

    private static BackendServer Server(string name) =>
        new(name, name, "HQ", ServerVersion.Exchange2007, false, true, new Dictionary<MailProtocol, IReadOnlyList<BackendEndpoint>>(), new BackendTlsOptions());
}
