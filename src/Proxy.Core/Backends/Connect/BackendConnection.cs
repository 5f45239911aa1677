using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using Proxy.Core.Backends.Login;
using Proxy.Core.Configuration;
using Proxy.Core.Discovery;

namespace Proxy.Core.Backends.Connect;

/// <summary>
/// One backend connection while the proxy logs in on it: the stream, the pipes
/// over it, the dialogue's current state, and the STARTTLS upgrade. Either handed
/// over whole as a <see cref="BackendSession"/> or disposed.
/// </summary>
internal sealed class BackendConnection : IAsyncDisposable
{
    /// <summary>Longest backend line read while logging in; a longer one is a protocol error, never unbounded buffering.</summary>
    public const int MaxLineLength = 64 * 1024;

    private readonly BackendTls _tls;
    private Stream? _stream;
    private PipeReader? _input;
    private PipeWriter? _output;
    private bool _handedOver;

    public BackendConnection(ConnectionAttempt attempt, BackendTls tls)
    {
        Attempt = attempt;
        _tls = tls;
    }

    public ConnectionAttempt Attempt { get; }

    /// <summary>True once the bytes on the wire are encrypted (implicit TLS or a completed STARTTLS).</summary>
    public bool IsTls { get; private set; }

    /// <summary>Where the dialogue is (<see cref="BackendLoginState"/>); logged when the attempt fails.</summary>
    public string State { get; set; } = BackendLoginState.Connect;

    public PipeReader Input => _input ?? throw new InvalidOperationException("The connection is not open.");

    public PipeWriter Output => _output ?? throw new InvalidOperationException("The connection is not open.");

    /// <summary>The address actually dialled (the host name resolved), once connected; for the attempt's span.</summary>
    public IPEndPoint? RemoteEndPoint { get; private set; }

    /// <summary>Takes ownership of the connected socket and, for implicit TLS, handshakes at once.</summary>
    public async Task OpenAsync(Socket socket, CancellationToken cancellationToken)
    {
        RemoteEndPoint = socket.RemoteEndPoint as IPEndPoint;
        _stream = new NetworkStream(socket, ownsSocket: true);
        if (Attempt.Endpoint.Method == BackendMethod.Ssl)
        {
            State = BackendLoginState.Tls;
            _stream = await _tls.AuthenticateAsync(_stream, Attempt, cancellationToken).ConfigureAwait(false);
            IsTls = true;
        }

        (_input, _output) = CreatePipes(_stream);
    }

    /// <summary>The next line without its CRLF, or null when the backend closed the connection.</summary>
    public ValueTask<string?> ReadLineAsync(CancellationToken cancellationToken) =>
        BackendLineReader.ReadLineAsync(Input, MaxLineLength, cancellationToken);

    public async ValueTask WriteAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken) =>
        await Output.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// Switches to TLS after the backend accepted STARTTLS/STLS. Anything the backend
    /// sent after that acceptance would be read as if it came over TLS (the
    /// CVE-2011-0411 class of injection), so such bytes end the attempt.
    /// </summary>
    public async Task UpgradeToTlsAsync(CancellationToken cancellationToken)
    {
        if (Input.TryRead(out var pending))
        {
            var injected = pending.Buffer.Length;
            Input.AdvanceTo(pending.Buffer.Start);
            if (injected > 0 || pending.IsCompleted)
            {
                throw new BackendFailureException(
                    BackendFailureKind.Protocol,
                    injected > 0 ? $"backend sent {injected} bytes after accepting STARTTLS" : "backend closed the connection after accepting STARTTLS");
            }
        }

        // The old pipes leave the stream open; the SslStream takes it over.
        await Input.CompleteAsync().ConfigureAwait(false);
        await Output.CompleteAsync().ConfigureAwait(false);
        State = BackendLoginState.Tls;
        _stream = await _tls.AuthenticateAsync(_stream!, Attempt, cancellationToken).ConfigureAwait(false);
        (_input, _output) = CreatePipes(_stream);
        IsTls = true;
    }

    /// <summary>Hands the connection, with whatever the reader already buffered, to the relay.</summary>
    public BackendSession ToSession(string loginResponse)
    {
        _handedOver = true;
        State = BackendLoginState.Done;
        return new BackendSession(Attempt.Server, Attempt.Endpoint, _stream!, Input, Output, loginResponse);
    }

    public async ValueTask DisposeAsync()
    {
        if (_handedOver)
        {
            return;
        }

        if (_input is not null)
        {
            await _input.CompleteAsync().ConfigureAwait(false);
        }

        if (_output is not null)
        {
            await _output.CompleteAsync().ConfigureAwait(false);
        }

        if (_stream is not null)
        {
            await _stream.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static (PipeReader, PipeWriter) CreatePipes(Stream stream) =>
        // Zero-byte reads keep idle relayed sessions from holding a rented buffer (it is rented only
        // when data waits); 64 KiB reads and writes keep bulk transfers cheap: the default 4 KiB reads
        // cost a pump iteration, a flush and a send per 4 KiB (docs/performance.md, finding 1: bulk
        // CPU per GB halved, throughput 0.62x -> 1.04x of direct).
        (PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 65536, minimumReadSize: 16384, leaveOpen: true, useZeroByteReads: true)),
         PipeWriter.Create(stream, new StreamPipeWriterOptions(minimumBufferSize: 65536, leaveOpen: true)));
}
