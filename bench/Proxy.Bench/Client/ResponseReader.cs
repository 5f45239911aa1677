namespace Proxy.Bench.Client;

/// <summary>
/// A buffered reader over a mail connection: one reusable buffer, lines handed out as
/// slices of it (valid until the next call), literal bytes skipped without copying
/// them anywhere. Lean on purpose: the load generator must not be what limits a run.
/// </summary>
internal sealed class ResponseReader
{
    /// <summary>A longer line is a protocol error (no mail server sends one in this benchmark).</summary>
    public const int MaxLineLength = 1024 * 1024;

    private Stream _stream;
    private byte[] _buffer;
    private int _start;
    private int _end;

    public ResponseReader(Stream stream, int bufferSize = 64 * 1024)
    {
        _stream = stream;
        _buffer = new byte[bufferSize];
    }

    /// <summary>Bytes received but not yet handed out (must be 0 before a TLS upgrade).</summary>
    public int Buffered => _end - _start;

    /// <summary>Switches to a new stream over the same connection (after STARTTLS).</summary>
    public void Rebind(Stream stream)
    {
        if (Buffered != 0)
        {
            throw new MailProtocolException($"{Buffered} bytes arrived before the TLS handshake (injection)");
        }

        _stream = stream;
    }

    /// <summary>The next line without its CR LF.</summary>
    /// <exception cref="EndOfStreamException">The server closed the connection first.</exception>
    public async ValueTask<ReadOnlyMemory<byte>> ReadLineAsync(CancellationToken cancellationToken)
    {
        var searched = 0;
        while (true)
        {
            var newline = _buffer.AsSpan(_start + searched, _end - _start - searched).IndexOf((byte)'\n');
            if (newline >= 0)
            {
                var lineEnd = _start + searched + newline;
                var line = new ReadOnlyMemory<byte>(_buffer, _start, lineEnd - _start);
                _start = lineEnd + 1;
                return line.Length > 0 && line.Span[^1] == '\r' ? line[..^1] : line;
            }

            searched = _end - _start;
            if (searched >= MaxLineLength)
            {
                throw new MailProtocolException($"line longer than {MaxLineLength} bytes");
            }

            await FillAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Consumes exactly <paramref name="count"/> bytes (a literal's content).</summary>
    public async ValueTask SkipAsync(long count, CancellationToken cancellationToken)
    {
        while (true)
        {
            var take = (int)Math.Min(count, _end - _start);
            _start += take;
            count -= take;
            if (count == 0)
            {
                return;
            }

            _start = _end = 0;
            var read = await _stream.ReadAsync(_buffer, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                throw new EndOfStreamException($"connection closed with {count} literal bytes outstanding");
            }

            _end = read;
        }
    }

    /// <summary>True when the server closed the connection and nothing is left unread.</summary>
    public async ValueTask<bool> IsAtEndAsync(CancellationToken cancellationToken)
    {
        if (Buffered > 0)
        {
            return false;
        }

        _start = _end = 0;
        var read = await _stream.ReadAsync(_buffer, cancellationToken).ConfigureAwait(false);
        _end = read;
        return read == 0;
    }

    private async ValueTask FillAsync(CancellationToken cancellationToken)
    {
        if (_start > 0)
        {
            // Move the partial line to the front so the buffer is free behind it.
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }

        if (_end == _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Min(_buffer.Length * 2, MaxLineLength + 2));
        }

        var read = await _stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken).ConfigureAwait(false);
        if (read == 0)
        {
            throw new EndOfStreamException("the server closed the connection");
        }

        _end += read;
    }
}
