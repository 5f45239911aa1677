using Proxy.Core.Configuration;
using Proxy.IntegrationTests.Harness;
using Proxy.IntegrationTests.Infrastructure;
using Proxy.IntegrationTests.Ordering;

namespace Proxy.IntegrationTests.Failures;

/// <summary>carol's 2007 mailbox behind one 2007 CAS: the fault backends, dialled in plaintext.</summary>
internal static class FaultTopology
{
    /// <summary>The fault backends speak no TLS: the proxy may use the plaintext method to them.</summary>
    public static readonly Dictionary<string, string?> Settings = new() { ["Proxy:Backends:AllowPlaintext"] = "true" };

    public static TopologyOptions Create(TestPki pki, int imapPort, int pop3Port) => Topologies.Create(
        [
            Topologies.Server("HQ-MBX2007", "2007", "Mailbox", pki),
            Topologies.Server("HQ-CAS2007A", "2007", "ClientAccess", pki,
                Topologies.Ports(null, imapPort, startTls: false),
                Topologies.Ports(null, pop3Port, startTls: false)),
        ],
        (Topologies.Db2007, "HQ-MBX2007"));

    /// <summary>Logs carol in over implicit TLS and selects INBOX (IMAP) or checks the mailbox (POP3).</summary>
    public static async Task<RawMailClient> LoggedInAsync(MailProtocolKind protocol, int port, TestPki pki)
    {
        var client = await RawMailClient.ConnectEncryptedAsync(protocol, port, pki, implicitTls: true);
        if (protocol == MailProtocolKind.Imap)
        {
            Assert.StartsWith("a OK", await client.ImapCommandAsync("a", $"LOGIN {Topologies.Carol} {Topologies.Password}"));
            Assert.StartsWith("b OK", await client.ImapCommandAsync("b", "SELECT INBOX"));
        }
        else
        {
            await client.WriteLineAsync($"USER {Topologies.Carol}");
            Assert.StartsWith("+OK", await client.ReadLineAsync());
            await client.WriteLineAsync($"PASS {Topologies.Password}");
            Assert.StartsWith("+OK", await client.ReadLineAsync());
            await client.WriteLineAsync("STAT");
            Assert.StartsWith("+OK", await client.ReadLineAsync());
        }

        return client;
    }

    /// <summary>
    /// Asks for the message and reads what the fault backend sends before it stops:
    /// the first line and the partial body, or the one whole response.
    /// </summary>
    public static async Task ReadUntilTheFaultAsync(RawMailClient client, MailProtocolKind protocol, MidSessionFault fault, MidSessionFaultBackend backend)
    {
        await client.WriteLineAsync(protocol == MailProtocolKind.Imap ? "c FETCH 1 BODY[]" : "RETR 1");
        var first = await client.ReadLineAsync();
        Assert.StartsWith(protocol == MailProtocolKind.Imap ? "* 1 FETCH" : "+OK", first);
        if (fault == MidSessionFault.MidResponse)
        {
            // The partial body is whole lines of 50 bytes: read them all.
            for (var read = 0; read < MidSessionFaultBackend.PartialBytes; read += 50)
            {
                await client.ReadLineAsync();
            }
        }
        else if (protocol == MailProtocolKind.Pop3)
        {
            Assert.Equal(".", await client.ReadUntilAsync("."));
        }

        // The backend marks the connection held just after its last write: wait for it, bounded.
        for (var i = 0; i < 200 && backend.Held == 0; i++)
        {
            await Task.Delay(10);
        }

        Assert.Equal(1, backend.Held);
    }
}
