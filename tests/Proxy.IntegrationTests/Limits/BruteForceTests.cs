using System.Diagnostics;
using Proxy.IntegrationTests.Harness;
using Proxy.IntegrationTests.Ordering;
using static Proxy.IntegrationTests.Limits.LimitsFixture;

namespace Proxy.IntegrationTests.Limits;

/// <summary>
/// The brute-force protection through the real proxy and Dovecot, on seconds-scale settings:
/// the tarpit delay is observed (lower bounds only), the lockout refuses even the right
/// password without checking it, and lifts after its period; a lockout of one user from one
/// address leaves the same user free from another address.
/// </summary>
[Collection(LimitsCollection.Name)]
public sealed class BruteForceTests(LimitsFixture fixture)
{
    private const int LoginSucceeded = 3200;
    private const int DirectoryWrongPassword = 3212;
    private const int LockedOutEvent = 3220;
    private const int RefusedLockedOut = 3221;
    private const int Tarpitted = 3222;

    [Theory]
    [InlineData(MailProtocolKind.Imap)]
    [InlineData(MailProtocolKind.Pop3)]
    public async Task FailuresPastTheTarpitThreshold_EachFurtherAttemptWaitsLonger_LastOneAlsoClosesTheConnection(MailProtocolKind protocol)
    {
        await using var proxy = await fixture.StartProxyAsync(new(BruteForce(
            ("TarpitDelay", "00:00:01"),
            ("MaxTarpitDelay", "00:00:02"),
            ("UserAndAddressTarpitAfter", "2"),
            ("UserAndAddressLockoutAfter", "0")))
        {
            ["Proxy:Imap:MaxFailedLoginAttempts"] = "4",
            ["Proxy:Pop3:MaxFailedLoginAttempts"] = "4",
        });
        await using var client = await RawMailClient.ConnectAsync(proxy.ImplicitTlsPort(protocol), fixture.Pki);
        await client.ReadLineAsync();

        Assert.StartsWith(Failed(protocol, 1), await TryLoginAsync(client, protocol, 1, "wrong1"));
        Assert.StartsWith(Failed(protocol, 2), await TryLoginAsync(client, protocol, 2, "wrong2"));
        Assert.Empty(proxy.Logs.WithEventId(Tarpitted));

        var clock = Stopwatch.StartNew();
        Assert.StartsWith(Failed(protocol, 3), await TryLoginAsync(client, protocol, 3, "wrong3"));
        var third = clock.Elapsed;

        clock.Restart();
        Assert.StartsWith(Failed(protocol, 4), await TryLoginAsync(client, protocol, 4, "wrong4"));
        var fourth = clock.Elapsed;
        Assert.True(await client.ClosedByPeerWithinAsync(TimeSpan.FromSeconds(5)), "still open after MaxFailedLoginAttempts");

        Assert.True(third >= TimeSpan.FromSeconds(0.9), $"the 3rd attempt was answered after {third}");
        Assert.True(fourth >= TimeSpan.FromSeconds(1.9), $"the 4th attempt was answered after {fourth}");
        Assert.Collection(
            proxy.Logs.WithEventId(Tarpitted),
            e => Assert.Contains("waits 00:00:01 ", e.Message),
            e => Assert.Contains("waits 00:00:02 ", e.Message));

        // The right password still gets in (after the capped wait), and the success forgets the failures.
        var (good, reply) = await RawLogin.OverTlsAsync(protocol, proxy.ImplicitTlsPort(protocol), fixture.Pki, Topologies.Alice, Topologies.Password);
        await using (good)
        {
            Assert.StartsWith(protocol == MailProtocolKind.Imap ? "a OK" : "+OK", reply);
        }

        var (again, failed) = await RawLogin.OverTlsAsync(protocol, proxy.ImplicitTlsPort(protocol), fixture.Pki, Topologies.Alice, "wrong5");
        await using (again)
        {
            Assert.StartsWith(protocol == MailProtocolKind.Imap ? "a NO [AUTHENTICATIONFAILED]" : "-ERR [AUTH]", failed);
        }

        Assert.Equal(3, proxy.Logs.WithEventId(Tarpitted).Count());
    }

    [Theory]
    [InlineData(MailProtocolKind.Imap, "a NO [UNAVAILABLE] Too many failed logins; try again later.")]
    [InlineData(MailProtocolKind.Pop3, "-ERR [SYS/TEMP] Too many failed logins; try again later.")]
    public async Task FailuresPastTheLockoutThreshold_RefusedWithoutCheckingThePassword_OtherAddressUnaffected_LiftedAfterThePeriod(MailProtocolKind protocol, string lockedOut)
    {
        var lockout = TimeSpan.FromSeconds(6);
        await using var proxy = await fixture.StartProxyAsync(new(BruteForce(
            ("TarpitDelay", "00:00:00"),
            ("MaxTarpitDelay", "00:00:00.200"),
            ("UserAndAddressTarpitAfter", "0"),
            ("UserAndAddressLockoutAfter", "3"),
            ("LockoutDuration", "00:00:06"))));
        var port = proxy.ImplicitTlsPort(protocol);
        for (var i = 1; i <= 3; i++)
        {
            Assert.DoesNotContain("Too many failed logins", await LoginReplyAsync(protocol, port, Topologies.Alice, $"wrong{i}"));
        }

        var lockedFor = Stopwatch.StartNew();
        var warning = Assert.Single(proxy.Logs.WithEventId(LockedOutEvent));
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Warning, warning.Level);
        Assert.Contains(Topologies.Alice, warning.Message);

        // Locked out: the right password is refused, and a wrong one is not even checked.
        var checkedBefore = proxy.Logs.WithEventId(DirectoryWrongPassword).Count();
        Assert.Equal(lockedOut, await LoginReplyAsync(protocol, port, Topologies.Alice, Topologies.Password));
        Assert.Equal(lockedOut, await LoginReplyAsync(protocol, port, Topologies.Alice, "wrong4"));
        Assert.Equal(checkedBefore, proxy.Logs.WithEventId(DirectoryWrongPassword).Count());
        Assert.Equal(2, proxy.Logs.WithEventId(RefusedLockedOut).Count());
        Assert.Empty(proxy.Logs.WithEventId(LoginSucceeded));

        // The lockout is of alice from 127.0.0.1 only: a real client from 127.0.0.2 logs in as alice.
        using (var elsewhere = await fixture.LogInAsync(protocol, proxy, Topologies.Alice, OtherAddress))
        {
            await AssertStillWorksAsync(elsewhere);
        }

        Assert.True(lockedFor.Elapsed < lockout, $"the checks took {lockedFor.Elapsed}, longer than the lockout itself");

        // Once the period is over, alice gets in from 127.0.0.1 again.
        await Task.Delay(lockout - lockedFor.Elapsed + TimeSpan.FromMilliseconds(300));
        Assert.StartsWith(protocol == MailProtocolKind.Imap ? "a OK" : "+OK", await LoginReplyAsync(protocol, port, Topologies.Alice, Topologies.Password));
    }

    [Theory]
    [InlineData(MailProtocolKind.Imap, "a NO [AUTHENTICATIONFAILED] Authentication failed.")]
    [InlineData(MailProtocolKind.Pop3, "-ERR [AUTH] Authentication failed.")]
    public async Task DisabledAccountWithTheRightPassword_RefusedLikeAWrongOne_CountedAsAFailure(MailProtocolKind protocol, string failed)
    {
        await using var proxy = await fixture.StartProxyAsync(new(BruteForce(
            ("TarpitDelay", "00:00:00"),
            ("MaxTarpitDelay", "00:00:00"),
            ("UserAndAddressTarpitAfter", "0"),
            ("UserAndAddressLockoutAfter", "2"))));
        var port = proxy.ImplicitTlsPort(protocol);

        Assert.Equal(failed, await LoginReplyAsync(protocol, port, Dora, Topologies.Password));
        Assert.Equal(failed, await LoginReplyAsync(protocol, port, Dora, Topologies.Password));

        Assert.Empty(proxy.Logs.WithEventId(LoginSucceeded));
        Assert.Empty(BackendAttempt.All(proxy.Logs));
        Assert.Single(proxy.Logs.WithEventId(LockedOutEvent));
    }

    private static IEnumerable<KeyValuePair<string, string?>> BruteForce(params (string Key, string Value)[] settings) =>
        settings.Select(s => new KeyValuePair<string, string?>($"Proxy:BruteForce:{s.Key}", s.Value))
            .Append(new("Proxy:BruteForce:Enabled", "true"))
            .Append(new("Proxy:BruteForce:AddressTarpitAfter", "0"))
            .Append(new("Proxy:BruteForce:AddressLockoutAfter", "0"))
            .Append(new("Proxy:BruteForce:UserTarpitAfter", "0"));

    private static string Failed(MailProtocolKind protocol, int attempt) =>
        protocol == MailProtocolKind.Imap ? $"a{attempt} NO [AUTHENTICATIONFAILED]" : "-ERR [AUTH]";

    /// <summary>One login on an open session: IMAP <c>aN LOGIN</c>, POP3 USER/PASS; the final reply line.</summary>
    private static async Task<string> TryLoginAsync(RawMailClient client, MailProtocolKind protocol, int attempt, string password)
    {
        if (protocol == MailProtocolKind.Imap)
        {
            return await client.ImapCommandAsync($"a{attempt}", $"LOGIN {Topologies.Alice} \"{password}\"");
        }

        await client.WriteLineAsync($"USER {Topologies.Alice}");
        Assert.StartsWith("+OK", await client.ReadLineAsync());
        await client.WriteLineAsync($"PASS {password}");
        return await client.ReadLineAsync();
    }

    /// <summary>A login on a new implicit-TLS connection from 127.0.0.1; the reply line.</summary>
    private async Task<string> LoginReplyAsync(MailProtocolKind protocol, int port, string user, string password)
    {
        var (client, reply) = await RawLogin.OverTlsAsync(protocol, port, fixture.Pki, user, password);
        await client.DisposeAsync();
        return reply;
    }
}
