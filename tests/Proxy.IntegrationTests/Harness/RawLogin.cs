using Proxy.IntegrationTests.Infrastructure;

namespace Proxy.IntegrationTests.Harness;

/// <summary>Logs in over a <see cref="RawMailClient"/> (IMAP LOGIN, POP3 USER/PASS) to see the exact reply.</summary>
public static class RawLogin
{
    /// <summary>Connects with implicit TLS, logs in and returns the client with the final reply line.</summary>
    public static async Task<(RawMailClient Client, string Reply)> OverTlsAsync(MailProtocolKind protocol, int port, TestPki pki, string user, string password)
    {
        var client = await RawMailClient.ConnectAsync(port, pki);
        try
        {
            return (client, await LoginAsync(client, protocol, user, password));
        }
        catch
        {
            await client.DisposeAsync();
            throw;
        }
    }

    /// <summary>Reads the greeting, sends the login and returns the tagged (IMAP) or final (POP3) reply.</summary>
    public static async Task<string> LoginAsync(RawMailClient client, MailProtocolKind protocol, string user, string password)
    {
        if (protocol == MailProtocolKind.Imap)
        {
            await client.ReadUntilAsync("* OK");
            await client.WriteLineAsync($"a LOGIN {user} \"{password}\"");
            return await client.ReadUntilAsync("a ");
        }

        await client.ReadUntilAsync("+OK");
        await client.WriteLineAsync($"USER {user}");
        var userReply = await client.ReadLineAsync();
        Assert.StartsWith("+OK", userReply);
        await client.WriteLineAsync($"PASS {password}");
        return await client.ReadLineAsync();
    }

    /// <summary>What the proxy answers when no backend could take the session.</summary>
    public static string UnavailablePrefix(MailProtocolKind protocol) =>
        protocol == MailProtocolKind.Imap ? "a NO [UNAVAILABLE]" : "-ERR [SYS/TEMP]";
}
