using System.Security.Authentication;
using Proxy.IntegrationTests.Harness;
using Proxy.IntegrationTests.Ordering;

namespace Proxy.IntegrationTests.HostileInput;

/// <summary>
/// CVE-2011-0411 style: a command pipelined behind STARTTLS/STLS in the same packet arrived
/// in clear and must never run as if it came over TLS.
/// </summary>
public sealed class StartTlsInjectionTests(HostileInputFixture fixture) : IClassFixture<HostileInputFixture>
{
    private const int LoginSucceeded = 3200;
    private const int InvalidCredentials = 3201;
    private const int PipelinedBytesDiscarded = 3106;

    private readonly HostileInputFixture _fixture = fixture;

    [Fact]
    public async Task ImapStartTls_PipelinedLogin_InjectedLoginNeverExecuted()
    {
        await using var proxy = await _fixture.StartProxyAsync();
        await using var client = await RawMailClient.ConnectAsync(proxy.ImapPort);
        await client.ReadUntilAsync("* OK");

        // One write, so the injected LOGIN sits in the proxy's buffer when STARTTLS is answered.
        await client.WriteAsync($"a STARTTLS\r\nb LOGIN {Topologies.Alice} \"{Topologies.Password}\"\r\n");
        Assert.StartsWith("a OK", await client.ReadUntilAsync("a "));
        if (await TryHandshakeAsync(client))
        {
            await client.WriteLineAsync("c CAPABILITY");
            Assert.StartsWith("c OK", await client.ReadUntilAsync("c "));
            Assert.DoesNotContain(client.Transcript, line => line.StartsWith("b ", StringComparison.Ordinal));
            Assert.Single(proxy.Logs.WithEventId(PipelinedBytesDiscarded));
            AssertNoLoginLogged(proxy.Logs);

            // The session itself is intact: a login of its own, over TLS, works once.
            await client.WriteLineAsync($"d LOGIN {Topologies.Alice} \"{Topologies.Password}\"");
            Assert.StartsWith("d OK", await client.ReadUntilAsync("d "));
            Assert.Single(proxy.Logs.WithEventId(LoginSucceeded));
        }
        else
        {
            AssertNoLoginLogged(proxy.Logs);
        }
    }

    [Fact]
    public async Task Pop3Stls_PipelinedUserPass_InjectedLoginNeverExecuted()
    {
        await using var proxy = await _fixture.StartProxyAsync();
        await using var client = await RawMailClient.ConnectAsync(proxy.Pop3Port);
        await client.ReadUntilAsync("+OK");

        await client.WriteAsync($"STLS\r\nUSER {Topologies.Alice}\r\nPASS {Topologies.Password}\r\n");
        Assert.StartsWith("+OK", await client.ReadLineAsync());
        if (await TryHandshakeAsync(client))
        {
            await client.WriteLineAsync("CAPA");
            Assert.StartsWith("+OK", await client.ReadLineAsync());
            await client.ReadUntilAsync(".");
            // Had USER been taken, PASS alone would now log in; it must be refused as out of order.
            await client.WriteLineAsync($"PASS {Topologies.Password}");
            Assert.StartsWith("-ERR", await client.ReadLineAsync());
            Assert.Single(proxy.Logs.WithEventId(PipelinedBytesDiscarded));
            AssertNoLoginLogged(proxy.Logs);
        }
        else
        {
            AssertNoLoginLogged(proxy.Logs);
        }
    }

    /// <summary>False when the proxy ended the session instead (injected bytes reached the handshake): also safe.</summary>
    private async Task<bool> TryHandshakeAsync(RawMailClient client)
    {
        try
        {
            await client.UpgradeToTlsAsync(_fixture.Pki);
            return true;
        }
        catch (Exception e) when (e is AuthenticationException or IOException)
        {
            return false;
        }
    }

    private static void AssertNoLoginLogged(Harness.LogCapture logs)
    {
        Assert.Empty(logs.WithEventId(LoginSucceeded));
        Assert.Empty(logs.WithEventId(InvalidCredentials));
        Assert.Empty(BackendAttempt.All(logs));
    }
}
