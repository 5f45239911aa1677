using MailKit;
using MailKit.Security;
using Proxy.IntegrationTests.Harness;
using Proxy.IntegrationTests.Ordering;
using static Proxy.IntegrationTests.Limits.LimitsFixture;

namespace Proxy.IntegrationTests.Limits;

/// <summary>
/// Exchange's connection limits, each reached with real sockets and refused with the
/// protocol's answer, while a session that is already logged in keeps working.
/// </summary>
[Collection(LimitsCollection.Name)]
public sealed class ConnectionLimitTests(LimitsFixture fixture)
{
    private const int UserLimitEvent = 1009;
    private const int MaxConnectionsEvent = 1101;
    private const int AddressLimitEvent = 1103;
    private static readonly int[] BackendAttemptEvents = [3300, 3301];
    private static readonly TimeSpan Closing = TimeSpan.FromSeconds(5);

    [Theory]
    [InlineData(MailProtocolKind.Imap, "* BYE [UNAVAILABLE] Too many connections to this server; try again later.")]
    [InlineData(MailProtocolKind.Pop3, "-ERR [SYS/TEMP] Too many connections to this server; try again later.")]
    public async Task MaxConnectionsReached_NextConnectionRefusedInPlaceOfTheGreeting_LoggedInSessionKeepsWorking(MailProtocolKind protocol, string refusal)
    {
        await using var proxy = await fixture.StartProxyAsync(new(Both("MaxConnections", "3")));
        using var session = await fixture.LogInAsync(protocol, proxy, Topologies.Alice);
        var idle = await RawMailClient.ConnectAsync(proxy.PlainPort(protocol));
        await using var _ = idle;
        await idle.ReadLineAsync();
        await using var idle2 = await RawMailClient.ConnectAsync(proxy.PlainPort(protocol));
        await idle2.ReadLineAsync();

        await using var refused = await RawMailClient.ConnectAsync(proxy.PlainPort(protocol));

        Assert.Equal(refusal, await refused.ReadLineAsync());
        Assert.True(await refused.ClosedByPeerWithinAsync(Closing), "the refused connection stayed open");
        var logged = Assert.Single(proxy.Logs.WithEventId(MaxConnectionsEvent));
        Assert.Contains("maximum of 3 connections set by MaxConnections", logged.Message);
        await AssertStillWorksAsync(session);

        // A connection that closes gives its place back.
        await idle.DisposeAsync();
        Assert.StartsWith(Greeting(protocol), await GreetingOnceThereIsRoomAsync(proxy.PlainPort(protocol)));
    }

    [Theory]
    [InlineData(MailProtocolKind.Imap, "* BYE [UNAVAILABLE] Too many connections from your address; try again later.")]
    [InlineData(MailProtocolKind.Pop3, "-ERR [SYS/TEMP] Too many connections from your address; try again later.")]
    public async Task MaxConnectionFromSingleIPReached_RefusedFromThatAddress_AnotherAddressStillGetsIn(MailProtocolKind protocol, string refusal)
    {
        await using var proxy = await fixture.StartProxyAsync(new(Both("MaxConnectionFromSingleIP", "2")));
        using var session = await fixture.LogInAsync(protocol, proxy, Topologies.Alice);
        await using var idle = await RawMailClient.ConnectAsync(proxy.PlainPort(protocol));
        await idle.ReadLineAsync();

        await using var refused = await RawMailClient.ConnectAsync(proxy.PlainPort(protocol));

        Assert.Equal(refusal, await refused.ReadLineAsync());
        Assert.True(await refused.ClosedByPeerWithinAsync(Closing), "the refused connection stayed open");
        var logged = Assert.Single(proxy.Logs.WithEventId(AddressLimitEvent));
        Assert.Contains("127.0.0.1", logged.Message);
        Assert.Empty(proxy.Logs.WithEventId(MaxConnectionsEvent));

        using var fromElsewhere = await fixture.LogInAsync(protocol, proxy, Bob, OtherAddress);
        await AssertStillWorksAsync(fromElsewhere);
        await AssertStillWorksAsync(session);
    }

    [Theory]
    [InlineData(MailProtocolKind.Imap, "a NO [LIMIT] Too many simultaneous connections for this account; close one and try again.")]
    [InlineData(MailProtocolKind.Pop3, "-ERR [IN-USE] Too many simultaneous connections for this account; close one and try again.")]
    public async Task MaxConnectionsPerUserReached_LoginRefusedBeforeAnyBackendIsDialled_UsersSessionsKeepWorking(MailProtocolKind protocol, string refusal)
    {
        await using var proxy = await fixture.StartProxyAsync(new(Both("MaxConnectionsPerUser", "2")));
        using var first = await fixture.LogInAsync(protocol, proxy, Topologies.Alice);
        using var second = await fixture.LogInAsync(protocol, proxy, Topologies.Alice);
        var attemptsBefore = BackendAttempts(proxy);

        var (raw, reply) = await RawLogin.OverTlsAsync(protocol, proxy.ImplicitTlsPort(protocol), fixture.Pki, Topologies.Alice, Topologies.Password);
        await using (raw)
        {
            Assert.Equal(refusal, reply);
        }

        var logged = Assert.Single(proxy.Logs.WithEventId(UserLimitEvent));
        Assert.Contains($"user {Topologies.Alice} exceeded maximum (2)", logged.Message);

        // MailKit tries each mechanism it knows; every one is refused.
        await Assert.ThrowsAsync<AuthenticationException>(() => fixture.LogInAsync(protocol, proxy, Topologies.Alice));
        Assert.Equal(attemptsBefore, BackendAttempts(proxy));

        // Other users are not affected, and the user's own sessions go on.
        using var bob = await fixture.LogInAsync(protocol, proxy, Bob);
        await AssertStillWorksAsync(first);
        await AssertStillWorksAsync(second);

        // A session that ends gives its place back.
        await first.DisconnectAsync(true);
        using var third = await LogInOnceThereIsRoomAsync(protocol, proxy);
        await AssertStillWorksAsync(third);
    }

    private static string Greeting(MailProtocolKind protocol) => protocol == MailProtocolKind.Imap ? "* OK" : "+OK";

    private static int BackendAttempts(ProxyUnderTest proxy) => proxy.Logs.Entries.Count(e => BackendAttemptEvents.Contains(e.EventId));

    /// <summary>The proxy sees a close a moment after the client makes it: retry for a bounded time.</summary>
    private static async Task<string> GreetingOnceThereIsRoomAsync(int port)
    {
        var line = "";
        for (var attempt = 0; attempt < 50; attempt++)
        {
            await using var client = await RawMailClient.ConnectAsync(port);
            line = await client.ReadLineAsync();
            if (!line.Contains("Too many connections", StringComparison.Ordinal))
            {
                return line;
            }

            await Task.Delay(100);
        }

        return line;
    }

    private async Task<MailService> LogInOnceThereIsRoomAsync(MailProtocolKind protocol, ProxyUnderTest proxy)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await fixture.LogInAsync(protocol, proxy, Topologies.Alice);
            }
            catch (AuthenticationException) when (attempt < 50)
            {
                await Task.Delay(100);
            }
        }
    }
}
