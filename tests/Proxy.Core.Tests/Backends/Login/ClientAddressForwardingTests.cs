using System.Net;
using Proxy.Core.Backends;
using Proxy.Core.Configuration;
using Proxy.Core.Discovery;
using Proxy.Core.Tests.Backends.Fakes;
using static Proxy.Core.Tests.Backends.Fakes.ConnectorHarness;

namespace Proxy.Core.Tests.Backends.Login;

/// <summary>
/// ForwardClientAddress: the IMAP login sends ID with Dovecot's x-originating-ip fields before
/// the credentials, the POP3 login sends XCLIENT when CAPA lists it; only for servers configured
/// so, never with a client's own x- fields, and a backend that cannot take it still logs in.
/// </summary>
public sealed class ClientAddressForwardingTests
{
    private static readonly string AlicePlain = Convert.ToBase64String("\0alice@contoso.lab\0Passw0rd!"u8.ToArray());

    private static BackendCredentials AliceFrom(string address, IReadOnlyList<KeyValuePair<string, string?>>? clientId = null) =>
        Alice with
        {
            Client = ForwardedClient.From(new IPEndPoint(IPAddress.Parse(address), 51000), new IPEndPoint(IPAddress.Parse("198.51.100.1"), 143), clientId),
        };

    private static BackendServer Forwarding(string name) => Server(name) with { ForwardClientAddress = true };

    [Fact]
    public async Task Imap_ForwardingServer_IdWithClientAndProxyAddressThenClientFieldsBeforeLogin()
    {
        var harness = new ConnectorHarness();
        await using var backend = FakeBackend.Start(new FakeImapScript().RunAsync);
        List<KeyValuePair<string, string?>> clientId = [new("name", "Thunder\"bird\\"), new("X-Originating-IP", "6.6.6.6"), new("os", null), new("x-session-id", "spoofed")];

        var result = await harness.ImapAsync(AliceFrom("192.0.2.10", clientId), Attempt(Forwarding("A"), backend, BackendMethod.Plain));

        await using var session = result.Session;
        Assert.NotNull(session);
        Assert.Equal(
            "P1 ID (\"x-originating-ip\" \"192.0.2.10\" \"x-originating-port\" \"51000\" \"x-connected-ip\" \"198.51.100.1\" \"x-connected-port\" \"143\" "
                + "\"name\" \"Thunder\\\"bird\\\\\" \"os\" NIL)\r\n"
                + $"P2 AUTHENTICATE PLAIN {AlicePlain}\r\n",
            backend.Clients[0].Received);
        Assert.Single(harness.ImapLoginLogger.WithEvent("BackendClientAddressForwarded"));
    }

    [Fact]
    public async Task Imap_ServerNotConfigured_NoId()
    {
        var harness = new ConnectorHarness();
        await using var backend = FakeBackend.Start(new FakeImapScript().RunAsync);

        var result = await harness.ImapAsync(AliceFrom("192.0.2.10"), Attempt(Server("A"), backend, BackendMethod.Plain));

        await using var session = result.Session;
        Assert.Equal($"P1 AUTHENTICATE PLAIN {AlicePlain}\r\n", backend.Clients[0].Received);
        Assert.Empty(harness.ImapLoginLogger.Entries);
    }

    [Fact]
    public async Task Imap_ServerWithoutIdCapability_LogsWarningAndLogsIn()
    {
        var harness = new ConnectorHarness();
        const string Capabilities = "IMAP4rev1 SASL-IR LITERAL+ AUTH=PLAIN";
        await using var backend = FakeBackend.Start(new FakeImapScript { Greeting = $"* OK [CAPABILITY {Capabilities}] ready.", Capabilities = Capabilities }.RunAsync);

        var result = await harness.ImapAsync(AliceFrom("192.0.2.10"), Attempt(Forwarding("A"), backend, BackendMethod.Plain));

        await using var session = result.Session;
        Assert.NotNull(session);
        Assert.DoesNotContain(" ID ", backend.Clients[0].Received, StringComparison.Ordinal);
        var warning = Assert.Single(harness.ImapLoginLogger.WithEvent("BackendClientAddressNotForwarded"));
        Assert.Contains("does not offer ID", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Imap_ClientWithManyIdFields_ThirtyPairsInAll()
    {
        var harness = new ConnectorHarness();
        await using var backend = FakeBackend.Start(new FakeImapScript().RunAsync);
        var clientId = Enumerable.Range(0, 30).Select(i => new KeyValuePair<string, string?>($"f{i}", "v")).ToList();

        var result = await harness.ImapAsync(AliceFrom("2001:db8::7", clientId), Attempt(Forwarding("A"), backend, BackendMethod.Plain));

        await using var session = result.Session;
        var id = backend.Clients[0].Received.Split("\r\n")[0];
        Assert.StartsWith("P1 ID (\"x-originating-ip\" \"2001:db8::7\" ", id, StringComparison.Ordinal);
        Assert.Contains("\"f25\" \"v\")", id, StringComparison.Ordinal);
        Assert.DoesNotContain("\"f26\"", id, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("192.0.2.10", "XCLIENT ADDR=192.0.2.10 PORT=51000")]
    [InlineData("::ffff:10.1.2.3", "XCLIENT ADDR=10.1.2.3 PORT=51000")]
    [InlineData("2001:db8::7", "XCLIENT ADDR=2001:db8::7 PORT=51000")]
    public async Task Pop3_CapaListsXclient_XclientBeforeLogin(string address, string expected)
    {
        var harness = new ConnectorHarness();
        var script = new FakePop3Script { Capabilities = ["TOP", "UIDL", "USER", "SASL PLAIN", "XCLIENT"] };
        await using var backend = FakeBackend.Start(script.RunAsync);

        var result = await harness.Pop3Async(AliceFrom(address), Attempt(Forwarding("A"), backend, BackendMethod.Plain));

        await using var session = result.Session;
        Assert.NotNull(session);
        Assert.Equal([expected, $"AUTH PLAIN {AlicePlain}"], script.LoginCommands);
        Assert.Single(harness.Pop3LoginLogger.WithEvent("BackendClientAddressForwarded"));
    }

    [Fact]
    public async Task Pop3_DovecotGreetingWithXclientCode_XclientBeforeLogin()
    {
        var harness = new ConnectorHarness();
        var script = new FakePop3Script { Greeting = "+OK [XCLIENT] Dovecot (Debian) ready.", Capabilities = ["USER", "SASL PLAIN"] };
        await using var backend = FakeBackend.Start(script.RunAsync);

        var result = await harness.Pop3Async(AliceFrom("192.0.2.10"), Attempt(Forwarding("A"), backend, BackendMethod.Plain));

        await using var session = result.Session;
        Assert.Equal(["XCLIENT ADDR=192.0.2.10 PORT=51000", $"AUTH PLAIN {AlicePlain}"], script.LoginCommands);
    }

    [Fact]
    public async Task Pop3_CapaWithoutXclient_LogsWarningAndLogsIn()
    {
        var harness = new ConnectorHarness();
        var script = new FakePop3Script();
        await using var backend = FakeBackend.Start(script.RunAsync);

        var result = await harness.Pop3Async(AliceFrom("192.0.2.10"), Attempt(Forwarding("A"), backend, BackendMethod.Plain));

        await using var session = result.Session;
        Assert.NotNull(session);
        Assert.Equal([$"AUTH PLAIN {AlicePlain}"], script.LoginCommands);
        Assert.Single(harness.Pop3LoginLogger.WithEvent("BackendClientAddressNotForwarded"));
    }

    [Fact]
    public async Task Pop3_ServerNotConfigured_NoXclientEvenWhenListed()
    {
        var harness = new ConnectorHarness();
        var script = new FakePop3Script { Capabilities = ["USER", "SASL PLAIN", "XCLIENT"] };
        await using var backend = FakeBackend.Start(script.RunAsync);

        var result = await harness.Pop3Async(AliceFrom("192.0.2.10"), Attempt(Server("A"), backend, BackendMethod.Plain));

        await using var session = result.Session;
        Assert.Equal([$"AUTH PLAIN {AlicePlain}"], script.LoginCommands);
    }
}
