using MailKit.Security;
using Proxy.Core.Configuration;
using Proxy.IntegrationTests.Harness;
using Proxy.IntegrationTests.Infrastructure;

namespace Proxy.IntegrationTests.Ordering;

/// <summary>
/// Fall-over between Client Access servers: a stopped 2007 CAS of a pair, and a dead
/// first entry in a 2010 CAS's InternalConnectionSettings.
/// </summary>
public sealed class ClientAccessFailoverTests(ClientAccessFixture fixture) : IClassFixture<ClientAccessFixture>
{
    private readonly ClientAccessFixture _fixture = fixture;

    [Theory]
    [InlineData(MailProtocolKind.Imap)]
    [InlineData(MailProtocolKind.Pop3)]
    public async Task Pair2007_PreferredCasStopped_CarolLogsInViaTheOther(MailProtocolKind protocol)
    {
        await using var proxy = await ProxyUnderTest.StartAsync(
            Topologies.Pair2007(_fixture.Pki, Lab(_fixture.CasA), Lab(_fixture.CasB)),
            Topologies.Users, _fixture.Pki.CertificatePath, _fixture.Pki.KeyPath);
        // Which CAS carol lands on is the rendezvous hash's choice: ask the proxy, then stop that one.
        await LoginAsync(proxy, protocol);
        var preferred = Assert.Single(BackendAttempt.All(proxy.Logs)).Server;
        var (stopped, other) = preferred == "HQ-CAS2007A" ? (_fixture.CasA, "HQ-CAS2007B") : (_fixture.CasB, "HQ-CAS2007A");
        var before = BackendAttempt.All(proxy.Logs).Count;

        await stopped.StopAsync();
        try
        {
            var subject = await LoginAsync(proxy, protocol);

            Assert.Equal("Welcome to " + Topologies.Db2007, subject);
            var attempts = BackendAttempt.All(proxy.Logs).Skip(before).ToList();
            Assert.Equal(
                [(preferred, false, "Ssl"), (preferred, false, "StartTls"), (other, true, "Ssl")],
                attempts.Select(a => (a.Server, a.Succeeded, a.Method)));
        }
        finally
        {
            await stopped.RestartAsync();
        }
    }

    [Theory]
    [InlineData(MailProtocolKind.Imap)]
    [InlineData(MailProtocolKind.Pop3)]
    public async Task Cas2010_FirstInternalConnectionSettingDead_FallsOverToNextEntry(MailProtocolKind protocol)
    {
        var dead = FaultyBackend.ClosedPort();
        var live = protocol == MailProtocolKind.Imap ? _fixture.CasA.ImapSslPort : _fixture.CasA.Pop3SslPort;
        List<string> settings = [$"127.0.0.1:{dead}:SSL", $"127.0.0.1:{live}:SSL"];
        var cas = Topologies.Server("HQ-CAS2010", "2010", "ClientAccess", _fixture.Pki);
        cas.ImapInternalConnectionSettings = protocol == MailProtocolKind.Imap ? settings : [$"127.0.0.1:{_fixture.CasA.ImapSslPort}:SSL"];
        cas.Pop3InternalConnectionSettings = protocol == MailProtocolKind.Pop3 ? settings : [$"127.0.0.1:{_fixture.CasA.Pop3SslPort}:SSL"];
        var topology = Topologies.Create([Topologies.Server("HQ-MBX2010", "2010", "Mailbox", _fixture.Pki), cas], (Topologies.Db2010, "HQ-MBX2010"));
        await using var proxy = await ProxyUnderTest.StartAsync(topology, Topologies.Users, _fixture.Pki.CertificatePath, _fixture.Pki.KeyPath);

        var subject = await MailKitLogin.FirstSubjectAsync(protocol, proxy.ImplicitTlsPort(protocol), SecureSocketOptions.SslOnConnect, Topologies.Dave, Topologies.Password, _fixture.Pki);

        Assert.Equal("Welcome to " + Topologies.Db2010, subject);
        Assert.Collection(
            BackendAttempt.All(proxy.Logs),
            first => Assert.Equal(("HQ-CAS2010", false, dead), (first.Server, first.Succeeded, first.Port)),
            second => Assert.Equal(("HQ-CAS2010", true, live), (second.Server, second.Succeeded, second.Port)));
    }

    private static (ProtocolPortsOptions Imap, ProtocolPortsOptions Pop3) Lab(DovecotBackend backend) =>
        (Topologies.Ports(backend.ImapSslPort, backend.ImapPort), Topologies.Ports(backend.Pop3SslPort, backend.Pop3Port));

    private Task<string?> LoginAsync(ProxyUnderTest proxy, MailProtocolKind protocol) =>
        MailKitLogin.FirstSubjectAsync(protocol, proxy.ImplicitTlsPort(protocol), SecureSocketOptions.SslOnConnect, Topologies.Carol, Topologies.Password, _fixture.Pki);
}
