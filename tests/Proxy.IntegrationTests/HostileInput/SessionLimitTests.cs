using System.Diagnostics;
using MailKit.Net.Imap;
using MailKit.Net.Pop3;
using MailKit.Security;
using Proxy.IntegrationTests.Harness;
using Proxy.IntegrationTests.Ordering;

namespace Proxy.IntegrationTests.HostileInput;

/// <summary>
/// Limits that protect the proxy from clients that misbehave or go quiet: the command size,
/// the pre-auth and authenticated timeouts, and a backend that dies under a session.
/// </summary>
public sealed class SessionLimitTests(HostileInputFixture fixture) : IClassFixture<HostileInputFixture>
{
    private const int RelayEnded = 3400;

    private readonly HostileInputFixture _fixture = fixture;

    [Theory]
    [InlineData(MailProtocolKind.Imap)]
    [InlineData(MailProtocolKind.Pop3)]
    public async Task CommandLongerThanMaxCommandSize_ByeAndClose_OtherSessionStillLogsIn(MailProtocolKind protocol)
    {
        await using var proxy = await _fixture.StartProxyAsync();
        var port = proxy.PlainPort(protocol);
        // The well-behaved session is already connected on the same listener when the hostile one arrives.
        using var imap = new ImapClient { Timeout = 15_000, ServerCertificateValidationCallback = _fixture.Pki.ValidateServerCertificate };
        using var pop3 = new Pop3Client { Timeout = 15_000, ServerCertificateValidationCallback = _fixture.Pki.ValidateServerCertificate };
        MailKit.MailService good = protocol == MailProtocolKind.Imap ? imap : pop3;
        await good.ConnectAsync("127.0.0.1", port, SecureSocketOptions.StartTls);
        await using var hostile = await RawMailClient.ConnectAsync(port);

        // Defaults: 10240 bytes for IMAP, 512 for POP3.
        string goodbye;
        if (protocol == MailProtocolKind.Imap)
        {
            await hostile.ReadUntilAsync("* OK");
            await hostile.WriteLineAsync("a NOOP " + new string('x', 12_000));
            goodbye = await hostile.ReadUntilAsync("* BYE");
        }
        else
        {
            await hostile.ReadUntilAsync("+OK");
            await hostile.WriteLineAsync("USER " + new string('x', 1_000));
            goodbye = await hostile.ReadUntilAsync("-ERR");
        }

        Assert.Contains("too long", goodbye);
        Assert.True(await hostile.ClosedByPeerWithinAsync(TimeSpan.FromSeconds(5)), "the proxy kept the connection open");
        await good.AuthenticateAsync(Topologies.Alice, Topologies.Password);
        Assert.True(good.IsAuthenticated);
        await good.DisconnectAsync(true);
    }

    [Theory]
    [InlineData(MailProtocolKind.Imap)]
    [InlineData(MailProtocolKind.Pop3)]
    public async Task SilentClientBeforeLogin_PreAuthTimeoutOneSecond_GoodbyeAndClose(MailProtocolKind protocol)
    {
        await using var proxy = await _fixture.StartProxyAsync(new Dictionary<string, string?>
        {
            ["Proxy:Imap:PreAuthenticatedConnectionTimeout"] = "00:00:01",
            ["Proxy:Pop3:PreAuthenticatedConnectionTimeout"] = "00:00:01",
        });
        await using var client = await RawMailClient.ConnectAsync(proxy.PlainPort(protocol));
        await client.ReadUntilAsync(protocol == MailProtocolKind.Imap ? "* OK" : "+OK");
        var clock = Stopwatch.StartNew();

        var goodbye = await client.ReadUntilAsync(protocol == MailProtocolKind.Imap ? "* BYE" : "-ERR", TimeSpan.FromSeconds(5));

        Assert.True(clock.Elapsed > TimeSpan.FromSeconds(0.8), $"goodbye after only {clock.Elapsed}: {goodbye}");
        Assert.True(await client.ClosedByPeerWithinAsync(TimeSpan.FromSeconds(3)), "the proxy kept the connection open");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(4), $"closed after {clock.Elapsed}");
    }

    [Theory]
    [InlineData(MailProtocolKind.Imap)]
    [InlineData(MailProtocolKind.Pop3)]
    public async Task IdleLoggedInSession_AuthenticatedTimeoutTwoSeconds_GoodbyeThenClosed(MailProtocolKind protocol)
    {
        await using var proxy = await _fixture.StartProxyAsync(new Dictionary<string, string?>
        {
            ["Proxy:Imap:AuthenticatedConnectionTimeout"] = "00:00:02",
            ["Proxy:Pop3:AuthenticatedConnectionTimeout"] = "00:00:02",
        });
        var (client, reply) = await RawLogin.OverTlsAsync(protocol, proxy.ImplicitTlsPort(protocol), _fixture.Pki, Topologies.Alice, Topologies.Password);
        await using var _ = client;
        Assert.StartsWith(protocol == MailProtocolKind.Imap ? "a OK" : "+OK", reply);
        var clock = Stopwatch.StartNew();

        var goodbye = await client.ReadUntilAsync(protocol == MailProtocolKind.Imap ? "* BYE" : "-ERR", TimeSpan.FromSeconds(8));
        Assert.Contains("inactivity", goodbye, StringComparison.Ordinal);
        Assert.True(await client.ClosedByPeerWithinAsync(TimeSpan.FromSeconds(8)), "the idle session was not closed");

        Assert.True(clock.Elapsed > TimeSpan.FromSeconds(1.5), $"closed after only {clock.Elapsed}");
        Assert.Contains(proxy.Logs.WithEventId(RelayEnded), e => e.Message.Contains("IdleTimeout"));
    }

    [Theory]
    [InlineData(MailProtocolKind.Imap)]
    [InlineData(MailProtocolKind.Pop3)]
    public async Task BackendDiesMidSession_ClientConnectionEnds(MailProtocolKind protocol)
    {
        await using var proxy = await _fixture.StartProxyAsync(backend: _fixture.Doomed);
        var (client, reply) = await RawLogin.OverTlsAsync(protocol, proxy.ImplicitTlsPort(protocol), _fixture.Pki, Topologies.Alice, Topologies.Password);
        await using var _ = client;
        Assert.StartsWith(protocol == MailProtocolKind.Imap ? "a OK" : "+OK", reply);
        await client.WriteLineAsync(protocol == MailProtocolKind.Imap ? "b NOOP" : "NOOP");
        await client.ReadUntilAsync(protocol == MailProtocolKind.Imap ? "b OK" : "+OK");

        await _fixture.Doomed.StopAsync();
        try
        {
            Assert.True(await client.ClosedByPeerWithinAsync(TimeSpan.FromSeconds(5)), "the client's connection outlived its backend");
            Assert.Single(proxy.Logs.WithEventId(RelayEnded));
        }
        finally
        {
            await _fixture.Doomed.RestartAsync();
        }
    }
}
