using System.Net;
using System.Text;

namespace Proxy.Bench.Client;

/// <summary>The POP3 side of the load generator: greeting, STLS/implicit TLS, USER/PASS, STAT, RETR (counted), NOOP, QUIT.</summary>
internal sealed class Pop3Client : IAsyncDisposable
{
    private readonly MailConnection _connection;

    private Pop3Client(MailConnection connection) => _connection = connection;

    public static async Task<Pop3Client> ConnectAsync(IPEndPoint server, Security security, BenchTrust trust, IPAddress? source, CancellationToken cancellationToken)
    {
        var connection = await MailConnection.OpenAsync(server, source, cancellationToken).ConfigureAwait(false);
        var client = new Pop3Client(connection);
        try
        {
            if (security == Security.ImplicitTls)
            {
                await connection.UpgradeToTlsAsync(trust, cancellationToken).ConfigureAwait(false);
            }

            await client.ReadOkAsync("greeting", cancellationToken).ConfigureAwait(false);
            if (security == Security.StartTls)
            {
                await client.CommandAsync("STLS", cancellationToken).ConfigureAwait(false);
                await connection.UpgradeToTlsAsync(trust, cancellationToken).ConfigureAwait(false);
            }

            return client;
        }
        catch
        {
            await client.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public async Task LoginAsync(string user, string password, CancellationToken cancellationToken)
    {
        await CommandAsync($"USER {user}", cancellationToken).ConfigureAwait(false);
        await CommandAsync($"PASS {password}", cancellationToken).ConfigureAwait(false);
    }

    public Task StatAsync(CancellationToken cancellationToken) => CommandAsync("STAT", cancellationToken);

    public Task NoopAsync(CancellationToken cancellationToken) => CommandAsync("NOOP", cancellationToken);

    public Task QuitAsync(CancellationToken cancellationToken) => CommandAsync("QUIT", cancellationToken);

    /// <summary>RETR n: returns the message size as the server meant it (CR LF counted, dot-stuffing removed).</summary>
    public async Task<long> RetrieveAsync(int message, CancellationToken cancellationToken)
    {
        await CommandAsync($"RETR {message}", cancellationToken).ConfigureAwait(false);
        long bytes = 0;
        while (true)
        {
            var line = await _connection.Reader.ReadLineAsync(cancellationToken).ConfigureAwait(false);
            if (Pop3Response.IsTerminator(line.Span))
            {
                return bytes;
            }

            bytes += Pop3Response.DataLength(line.Span);
        }
    }

    public ValueTask DisposeAsync() => _connection.DisposeAsync();

    private async Task CommandAsync(string command, CancellationToken cancellationToken)
    {
        await _connection.WriteLineAsync(command, cancellationToken).ConfigureAwait(false);
        var verb = command.Split(' ')[0];
        await ReadOkAsync(verb, cancellationToken).ConfigureAwait(false);
    }

    private async Task ReadOkAsync(string what, CancellationToken cancellationToken)
    {
        var line = await _connection.Reader.ReadLineAsync(cancellationToken).ConfigureAwait(false);
        if (!Pop3Response.IsOk(line.Span))
        {
            throw new MailProtocolException($"{what}: expected +OK, got '{Encoding.ASCII.GetString(line.Span[..Math.Min(line.Length, 200)])}'");
        }
    }
}
