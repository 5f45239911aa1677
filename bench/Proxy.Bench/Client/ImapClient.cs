using System.Net;
using System.Text;

namespace Proxy.Bench.Client;

/// <summary>
/// The IMAP side of the load generator: greeting, STARTTLS/implicit TLS, LOGIN, SELECT,
/// FETCH BODY[] (literal skipped, its size returned), NOOP, IDLE/DONE, LOGOUT. Untagged
/// responses are read past; any literal is skipped whole, so a line is never mistaken
/// for a literal's content.
/// </summary>
internal sealed class ImapClient : IAsyncDisposable
{
    private static readonly byte[] Done = "DONE\r\n"u8.ToArray();
    private readonly MailConnection _connection;
    private readonly byte[] _tag = new byte[16];
    private int _tagLength;
    private int _next;

    private ImapClient(MailConnection connection) => _connection = connection;

    public static async Task<ImapClient> ConnectAsync(IPEndPoint server, Security security, BenchTrust trust, IPAddress? source, CancellationToken cancellationToken, int bufferSize = 64 * 1024)
    {
        var connection = await MailConnection.OpenAsync(server, source, cancellationToken, bufferSize).ConfigureAwait(false);
        var client = new ImapClient(connection);
        try
        {
            if (security == Security.ImplicitTls)
            {
                await connection.UpgradeToTlsAsync(trust, cancellationToken).ConfigureAwait(false);
            }

            var greeting = await connection.Reader.ReadLineAsync(cancellationToken).ConfigureAwait(false);
            if (!ImapResponse.IsGreeting(greeting.Span))
            {
                throw new MailProtocolException($"IMAP greeting expected, got '{Text(greeting)}'");
            }

            if (security == Security.StartTls)
            {
                await client.CommandAsync("STARTTLS", cancellationToken).ConfigureAwait(false);
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

    public Task LoginAsync(string user, string password, CancellationToken cancellationToken) =>
        CommandAsync($"LOGIN {Quote(user)} {Quote(password)}", cancellationToken);

    public Task SelectAsync(string mailbox, CancellationToken cancellationToken) =>
        CommandAsync($"SELECT {Quote(mailbox)}", cancellationToken);

    public Task NoopAsync(CancellationToken cancellationToken) => CommandAsync("NOOP", cancellationToken);

    /// <summary>FETCH n BODY[]: returns the bytes of every literal received (the message).</summary>
    public async Task<long> FetchBodyAsync(int sequence, CancellationToken cancellationToken)
    {
        return await CommandAsync($"FETCH {sequence} BODY[]", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Starts IDLE and waits for the server's continuation (RFC 2177).</summary>
    public async Task IdleAsync(CancellationToken cancellationToken)
    {
        await SendTaggedAsync("IDLE", cancellationToken).ConfigureAwait(false);
        while (true)
        {
            var line = await _connection.Reader.ReadLineAsync(cancellationToken).ConfigureAwait(false);
            if (ImapResponse.IsContinuation(line.Span))
            {
                return;
            }

            CheckNotTagged(line, "IDLE");
            await SkipLiteralAsync(line, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Ends IDLE: DONE, then the IDLE command's tagged OK.</summary>
    public async Task DoneAsync(CancellationToken cancellationToken)
    {
        await _connection.WriteAsync(Done, cancellationToken).ConfigureAwait(false);
        await ReadTaggedAsync("IDLE", cancellationToken).ConfigureAwait(false);
    }

    public Task LogoutAsync(CancellationToken cancellationToken) => CommandAsync("LOGOUT", cancellationToken);

    public ValueTask DisposeAsync() => _connection.DisposeAsync();

    /// <summary>Sends a tagged command and reads to its tagged OK; returns the literal bytes read on the way.</summary>
    /// <exception cref="MailProtocolException">NO or BAD.</exception>
    public async Task<long> CommandAsync(string command, CancellationToken cancellationToken)
    {
        await SendTaggedAsync(command, cancellationToken).ConfigureAwait(false);
        return await ReadTaggedAsync(command, cancellationToken).ConfigureAwait(false);
    }

    internal static string Quote(string value) =>
        "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    private static string Text(ReadOnlyMemory<byte> line) => Encoding.ASCII.GetString(line.Span[..Math.Min(line.Length, 200)]);

    private async Task SendTaggedAsync(string command, CancellationToken cancellationToken)
    {
        _tag[0] = (byte)'a';
        _tagLength = 1 + Encoding.ASCII.GetBytes((++_next).ToString(System.Globalization.CultureInfo.InvariantCulture), _tag.AsSpan(1));
        await _connection.WriteLineAsync($"{Encoding.ASCII.GetString(_tag, 0, _tagLength)} {command}", cancellationToken).ConfigureAwait(false);
    }

    private async Task<long> ReadTaggedAsync(string command, CancellationToken cancellationToken)
    {
        long literals = 0;
        while (true)
        {
            var line = await _connection.Reader.ReadLineAsync(cancellationToken).ConfigureAwait(false);
            var status = ImapResponse.TaggedStatus(line.Span, _tag.AsSpan(0, _tagLength));
            switch (status)
            {
                case ImapResponse.Status.Ok:
                    return literals;
                case ImapResponse.Status.No or ImapResponse.Status.Bad:
                    throw new MailProtocolException($"{Verb(command)} failed: {Text(line)}");
            }

            literals += await SkipLiteralAsync(line, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Skips the literal a line announces, and any literal on the lines that continue it.</summary>
    private async Task<long> SkipLiteralAsync(ReadOnlyMemory<byte> line, CancellationToken cancellationToken)
    {
        long total = 0;
        var length = ImapResponse.LiteralLength(line.Span);
        while (length >= 0)
        {
            await _connection.Reader.SkipAsync(length, cancellationToken).ConfigureAwait(false);
            total += length;
            var rest = await _connection.Reader.ReadLineAsync(cancellationToken).ConfigureAwait(false);
            length = ImapResponse.LiteralLength(rest.Span);
        }

        return total;
    }

    private void CheckNotTagged(ReadOnlyMemory<byte> line, string command)
    {
        if (ImapResponse.TaggedStatus(line.Span, _tag.AsSpan(0, _tagLength)) != ImapResponse.Status.None)
        {
            throw new MailProtocolException($"{command} refused: {Text(line)}");
        }
    }

    private static string Verb(string command)
    {
        var space = command.IndexOf(' ', StringComparison.Ordinal);
        return space < 0 ? command : command[..space];
    }
}
