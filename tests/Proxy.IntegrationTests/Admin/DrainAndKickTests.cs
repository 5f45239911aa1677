using MailKit;
using MailKit.Net.Imap;
using MailKit.Security;
using Proxy.IntegrationTests.Harness;
using Proxy.IntegrationTests.Ordering;

namespace Proxy.IntegrationTests.Admin;

/// <summary>
/// Maintenance through the admin API with real Dovecots and real clients (issue 4, item 6): a
/// draining server keeps its sessions and gets no new ones; force and kick close sessions with
/// a goodbye.
/// </summary>
public sealed class DrainAndKickTests(ClientAccessFixture fixture) : IClassFixture<ClientAccessFixture>
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task Drain_CarolsCas_OpenSessionCarriesOn_NewLoginsGoToTheOtherCasUntilUndrained()
    {
        await using var proxy = await AdminTopology.StartProxyAsync(fixture);
        using var api = new AdminApi(proxy.HttpPort);
        using var open = await ImapAsync(proxy);
        var preferred = await api.ServerOfAsync(Topologies.Carol);
        var other = preferred == AdminTopology.CasA ? AdminTopology.CasB : AdminTopology.CasA;

        await api.PostAsync($"/admin/servers/{preferred}/drain");

        // The open session goes on as if nothing happened.
        await open.NoOpAsync();
        Assert.Equal($"Welcome to {Topologies.Db2007}", (await open.Inbox.GetMessageAsync(0)).Subject);
        // A new login lands on the other CAS, without even trying the draining one.
        var attemptsBefore = BackendAttempt.All(proxy.Logs).Count;
        Assert.Equal($"Welcome to {Topologies.Db2007}", await LoginAsync(proxy, MailProtocolKind.Imap));
        Assert.Equal([(other, true)], BackendAttempt.All(proxy.Logs).Skip(attemptsBefore).Select(a => (a.Server, a.Succeeded)));

        await api.PostAsync($"/admin/servers/{preferred}/undrain");
        attemptsBefore = BackendAttempt.All(proxy.Logs).Count;
        await LoginAsync(proxy, MailProtocolKind.Pop3);
        Assert.Equal([(preferred, true)], BackendAttempt.All(proxy.Logs).Skip(attemptsBefore).Select(a => (a.Server, a.Succeeded)));
        await open.DisconnectAsync(quit: true);
    }

    [Theory]
    [InlineData(MailProtocolKind.Imap, "a NO [UNAVAILABLE]")]
    [InlineData(MailProtocolKind.Pop3, "-ERR [SYS/TEMP]")]
    public async Task Drain_TheOnlyCas_NewLoginIsToldUnavailable(MailProtocolKind protocol, string refusal)
    {
        await using var proxy = await AdminTopology.StartProxyAsync(fixture, withCasB: false);
        using var api = new AdminApi(proxy.HttpPort);
        await api.PostAsync($"/admin/servers/{AdminTopology.CasA}/drain");

        await using var client = await RawMailClient.ConnectEncryptedAsync(protocol, protocol == MailProtocolKind.Imap ? proxy.ImapsPort : proxy.Pop3sPort, fixture.Pki, implicitTls: true);
        string answer;
        if (protocol == MailProtocolKind.Imap)
        {
            answer = await client.ImapCommandAsync("a", $"LOGIN {Topologies.Carol} {Topologies.Password}");
        }
        else
        {
            await client.WriteLineAsync($"USER {Topologies.Carol}");
            await client.ReadLineAsync();
            await client.WriteLineAsync($"PASS {Topologies.Password}");
            answer = await client.ReadLineAsync();
        }

        Assert.StartsWith(refusal, answer);
        Assert.Empty(BackendAttempt.All(proxy.Logs));
    }

    [Fact]
    public async Task DrainEndpoint_ImapSsl_NewLoginUsesStartTlsOnTheSameCas()
    {
        await using var proxy = await AdminTopology.StartProxyAsync(fixture, withCasB: false);
        using var api = new AdminApi(proxy.HttpPort);

        await api.PostAsync($"/admin/servers/{AdminTopology.CasA}/imap/ssl/drain");
        Assert.Equal($"Welcome to {Topologies.Db2007}", await LoginAsync(proxy, MailProtocolKind.Imap));
        Assert.Equal($"Welcome to {Topologies.Db2007}", await LoginAsync(proxy, MailProtocolKind.Pop3));

        Assert.Equal(
            [(AdminTopology.CasA, "StartTls"), (AdminTopology.CasA, "Ssl")],
            BackendAttempt.All(proxy.Logs).Select(a => (a.Server, a.Method)));
        Assert.All(BackendAttempt.All(proxy.Logs), a => Assert.True(a.Succeeded));
    }

    [Fact]
    public async Task ForceDrain_SessionsOnTheServer_ToldByeAndClosed_OthersCarryOn()
    {
        await using var proxy = await AdminTopology.StartProxyAsync(fixture);
        using var api = new AdminApi(proxy.HttpPort);
        await using var carol = await AdminTopology.ImapSessionAsync(proxy, fixture, Topologies.Carol);
        await carol.WriteLineAsync("c IDLE");
        Assert.StartsWith("+", await carol.ReadLineAsync());
        await using var dave = await AdminTopology.ImapSessionAsync(proxy, fixture, Topologies.Dave);
        var server = await api.ServerOfAsync(Topologies.Carol);

        var drained = await api.PostAsync($"/admin/servers/{server}/drain?force=true");

        Assert.Equal(1, drained.GetProperty("closedSessions").GetInt32());
        Assert.Equal("* BYE This server is going down for maintenance; please reconnect.", await carol.ReadLineAsync(Bound));
        Assert.True(await carol.ClosedByPeerWithinAsync(Bound), string.Join('\n', carol.Transcript));
        // dave's mailbox is behind HQ-CAS2010: untouched.
        Assert.StartsWith("d OK", await dave.ImapCommandAsync("d", "NOOP"));
    }

    [Fact]
    public async Task Kick_Carol_EveryOneOfHerSessionsClosed_ImapWithBye_OtherUsersCarryOn()
    {
        await using var proxy = await AdminTopology.StartProxyAsync(fixture);
        using var api = new AdminApi(proxy.HttpPort);
        await using var idling = await AdminTopology.ImapSessionAsync(proxy, fixture, Topologies.Carol);
        await idling.WriteLineAsync("c IDLE");
        Assert.StartsWith("+", await idling.ReadLineAsync());
        await using var selected = await AdminTopology.ImapSessionAsync(proxy, fixture, Topologies.Carol);
        await using var pop3 = await AdminTopology.Pop3SessionAsync(proxy, fixture, Topologies.Carol);
        using var mailKit = await ImapAsync(proxy);
        await using var dave = await AdminTopology.ImapSessionAsync(proxy, fixture, Topologies.Dave);
        var disconnected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        mailKit.Disconnected += (_, _) => disconnected.TrySetResult();
        // MailKit reads the BYE when it next reads: keep it reading, as a real client does in IDLE.
        using var stopIdle = new CancellationTokenSource();
        var idle = mailKit.IdleAsync(stopIdle.Token);

        var kicked = await api.PostAsync("/admin/users/CAROL%40contoso.lab/kick");

        Assert.Equal(4, kicked.GetProperty("closedSessions").GetInt32());
        const string bye = "* BYE Session ended by the administrator; please reconnect.";
        Assert.Equal(bye, await idling.ReadLineAsync(Bound));
        Assert.Equal(bye, await selected.ReadLineAsync(Bound));
        foreach (var client in new[] { idling, selected, pop3 })
        {
            Assert.True(await client.ClosedByPeerWithinAsync(Bound), string.Join('\n', client.Transcript));
        }

        // POP3 has no unsolicited goodbye: the connection just closes.
        Assert.DoesNotContain(pop3.Transcript, line => line.StartsWith("-ERR", StringComparison.Ordinal));
        await disconnected.Task.WaitAsync(Bound);
        await Assert.ThrowsAnyAsync<Exception>(() => idle.WaitAsync(Bound));
        Assert.StartsWith("d OK", await dave.ImapCommandAsync("d", "NOOP"));
        Assert.DoesNotContain(await api.SessionsAsync(), s => s.GetProperty("user").GetString() == Topologies.Carol);
    }

    private async Task<ImapClient> ImapAsync(ProxyUnderTest proxy)
    {
        var client = new ImapClient { Timeout = 15_000, ServerCertificateValidationCallback = fixture.Pki.ValidateServerCertificate };
        await client.ConnectAsync("127.0.0.1", proxy.ImapsPort, SecureSocketOptions.SslOnConnect);
        await client.AuthenticateAsync(Topologies.Carol, Topologies.Password);
        await client.Inbox.OpenAsync(FolderAccess.ReadOnly);
        return client;
    }

    private Task<string?> LoginAsync(ProxyUnderTest proxy, MailProtocolKind protocol) =>
        MailKitLogin.FirstSubjectAsync(protocol, proxy.ImplicitTlsPort(protocol), SecureSocketOptions.SslOnConnect, Topologies.Carol, Topologies.Password, fixture.Pki);
}
