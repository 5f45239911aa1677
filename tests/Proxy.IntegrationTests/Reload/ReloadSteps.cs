using MailKit;
using MailKit.Net.Imap;
using MailKit.Security;
using Proxy.IntegrationTests.Harness;
using Proxy.IntegrationTests.Infrastructure;

namespace Proxy.IntegrationTests.Reload;

/// <summary>What the reload tests do over and over: edit a file, wait for the proxy's verdict, log in and see where the session went.</summary>
internal static class ReloadSteps
{
    public const int Reloaded = 3020;
    public const int Refused = 3021;

    /// <summary>File events, the settle delay and a reload take well under a second; this bound is for a loaded machine.</summary>
    public static readonly TimeSpan EventTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Replaces a file the way deployment tools do: write a temporary file next to it, then rename it over the old one.</summary>
    public static async Task ReplaceFileAsync(string path, string content)
    {
        var temporary = path + ".new";
        await File.WriteAllTextAsync(temporary, content);
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>Writes <paramref name="proxy"/>'s appsettings.json: <paramref name="settings"/> becomes the <c>Proxy</c> section.</summary>
    public static Task WriteAppSettingsAsync(ProxyUnderTest proxy, object settings) =>
        File.WriteAllTextAsync(Path.Combine(proxy.ContentRoot, "appsettings.json"), System.Text.Json.JsonSerializer.Serialize(new { Proxy = settings }));

    /// <summary>Waits (polling, bounded) for a log event with <paramref name="eventId"/> whose message holds <paramref name="text"/>.</summary>
    public static async Task<CapturedLog> WaitForEventAsync(LogCapture logs, int eventId, string text)
    {
        var deadline = DateTime.UtcNow + EventTimeout;
        while (true)
        {
            var entry = logs.WithEventId(eventId).FirstOrDefault(e => e.Message.Contains(text, StringComparison.Ordinal));
            if (entry is not null)
            {
                return entry;
            }

            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"No event {eventId} with \"{text}\" within {EventTimeout.TotalSeconds:0} s. The proxy logged:\n{logs.AllText}");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>A MailKit IMAP session through the proxy's implicit-TLS listener, logged in.</summary>
    public static async Task<ImapClient> LoginAsync(ProxyUnderTest proxy, TestPki pki, string user, string password)
    {
        var client = new ImapClient { ServerCertificateValidationCallback = pki.ValidateServerCertificate, Timeout = 15_000 };
        try
        {
            await client.ConnectAsync(DovecotBackend.Host, proxy.ImapsPort, SecureSocketOptions.SslOnConnect);
            await client.AuthenticateAsync(user, password);
            return client;
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    /// <summary>The Dovecot instance behind the session, as the user reads it in the first message ("… served by RELOAD-A.").</summary>
    public static async Task<string> ServedByAsync(ImapClient client)
    {
        if (!client.Inbox.IsOpen)
        {
            await client.Inbox.OpenAsync(FolderAccess.ReadOnly);
        }

        var text = (await client.Inbox.GetMessageAsync(0)).TextBody ?? "";
        var at = text.IndexOf("served by ", StringComparison.Ordinal);
        Assert.True(at >= 0, $"The first message does not say who serves it: {text}");
        return text[(at + "served by ".Length)..].Trim().TrimEnd('.');
    }

    /// <summary>Logs in as <paramref name="user"/> and returns who served the session.</summary>
    public static async Task<string> ServedByAsync(ProxyUnderTest proxy, TestPki pki, string user, string password = ReloadFixture.Password)
    {
        using var client = await LoginAsync(proxy, pki, user, password);
        var servedBy = await ServedByAsync(client);
        await client.DisconnectAsync(true);
        return servedBy;
    }
}
