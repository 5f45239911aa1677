using Proxy.Bench.Client;
using Proxy.Bench.Setup;

namespace Proxy.Bench.Scenarios;

/// <summary>Opening a logged-in session on a route, for IMAP (INBOX selected) or POP3 (after STAT).</summary>
internal static class Sessions
{
    public static async Task<ImapClient> OpenImapAsync(BenchContext context, Route route, BenchUser user, CancellationToken cancellationToken, int bufferSize = 64 * 1024)
    {
        var client = await ImapClient.ConnectAsync(
            route.System!.Endpoint(imap: true, implicitTls: route.Security == Security.ImplicitTls),
            route.Security,
            context.Lab.Trust,
            SourceAddresses.Next(),
            cancellationToken,
            bufferSize).ConfigureAwait(false);
        try
        {
            await client.LoginAsync(user.Name, BenchUsers.Password, cancellationToken).ConfigureAwait(false);
            await client.SelectAsync("INBOX", cancellationToken).ConfigureAwait(false);
            return client;
        }
        catch
        {
            await client.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public static async Task<Pop3Client> OpenPop3Async(BenchContext context, Route route, BenchUser user, CancellationToken cancellationToken)
    {
        var client = await Pop3Client.ConnectAsync(
            route.System!.Endpoint(imap: false, implicitTls: route.Security == Security.ImplicitTls),
            route.Security,
            context.Lab.Trust,
            SourceAddresses.Next(),
            cancellationToken).ConfigureAwait(false);
        try
        {
            await client.LoginAsync(user.Name, BenchUsers.Password, cancellationToken).ConfigureAwait(false);
            await client.StatAsync(cancellationToken).ConfigureAwait(false);
            return client;
        }
        catch
        {
            await client.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>One whole login: connect, TLS, log in, SELECT INBOX / STAT, LOGOUT / QUIT.</summary>
    public static async Task LoginCycleAsync(BenchContext context, Route route, BenchUser user, bool imap, CancellationToken cancellationToken)
    {
        if (imap)
        {
            await using var client = await OpenImapAsync(context, route, user, cancellationToken).ConfigureAwait(false);
            await client.LogoutAsync(cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await using var client = await OpenPop3Async(context, route, user, cancellationToken).ConfigureAwait(false);
            await client.QuitAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
