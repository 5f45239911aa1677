using Proxy.IntegrationTests.Harness;
using Proxy.IntegrationTests.Infrastructure;

namespace Proxy.IntegrationTests.Telemetry;

/// <summary>One whole client session through the proxy: log in over implicit TLS, say goodbye, see the connection closed.</summary>
internal static class TelemetrySession
{
    /// <returns>The client's port (the session span's <c>client.port</c>) and the login's reply line.</returns>
    public static async Task<(int ClientPort, string Reply)> RunAsync(ProxyUnderTest proxy, MailProtocolKind protocol, TestPki pki, string user, string password = TelemetryFixture.Password)
    {
        var port = protocol == MailProtocolKind.Imap ? proxy.ImapsPort : proxy.Pop3sPort;
        var (client, reply) = await RawLogin.OverTlsAsync(protocol, port, pki, user, password);
        await using (client)
        {
            if (protocol == MailProtocolKind.Imap)
            {
                await client.ImapCommandAsync("z", "LOGOUT");
            }
            else
            {
                await client.WriteLineAsync("QUIT");
                await client.ReadUntilAsync("+OK");
            }

            Assert.True(await client.ClosedByPeerWithinAsync(TimeSpan.FromSeconds(15)), "the proxy kept the connection open after LOGOUT/QUIT");
            return (client.LocalPort, reply);
        }
    }

    public static bool IsOk(MailProtocolKind protocol, string reply) =>
        reply.StartsWith(protocol == MailProtocolKind.Imap ? "a OK" : "+OK", StringComparison.Ordinal);
}
