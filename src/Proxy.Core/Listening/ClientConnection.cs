using System.IO.Pipelines;
using System.Net;

namespace Proxy.Core.Listening;

/// <summary>
/// The client side of one session, as the pre-auth dialogue and the relay see
/// it. <see cref="Input"/> and <see cref="Output"/> change after STARTTLS, so
/// always read them from here rather than keeping them.
/// </summary>
public sealed class ClientConnection
{
    private readonly Func<IDuplexPipe, CancellationToken, ValueTask<IDuplexPipe>>? _tlsUpgrade;
    private IDuplexPipe _transport;

    /// <param name="tlsUpgrade">Performs the server-side TLS handshake over the given transport and returns the encrypted one; null when no certificate is configured.</param>
    public ClientConnection(
        string id,
        IDuplexPipe transport,
        bool implicitTls,
        EndPoint? remoteEndPoint,
        EndPoint? localEndPoint,
        Func<IDuplexPipe, CancellationToken, ValueTask<IDuplexPipe>>? tlsUpgrade)
    {
        Id = id;
        _transport = transport;
        IsImplicitTls = implicitTls;
        IsEncrypted = implicitTls;
        RemoteEndPoint = remoteEndPoint;
        LocalEndPoint = localEndPoint;
        _tlsUpgrade = tlsUpgrade;
    }

    public string Id { get; }

    public PipeReader Input => _transport.Input;

    public PipeWriter Output => _transport.Output;

    /// <summary>The listener was implicit TLS (993/995).</summary>
    public bool IsImplicitTls { get; }

    /// <summary>Implicit TLS, or STARTTLS/STLS completed. Decides the backend method order.</summary>
    public bool IsEncrypted { get; private set; }

    public EndPoint? RemoteEndPoint { get; }

    public EndPoint? LocalEndPoint { get; }

    /// <summary>The session's protocol log recorder, set when the session starts; null when the protocol log is off.</summary>
    internal Sessions.ProtocolLog.ProtocolLogSession? ProtocolLog { get; set; }

    /// <summary>STARTTLS/STLS may be offered: a certificate is configured and the session is not yet encrypted.</summary>
    public bool CanStartTls => _tlsUpgrade is not null && !IsEncrypted;

    /// <summary>
    /// Runs the TLS handshake on the current transport. The caller must have sent
    /// and flushed the go-ahead and consumed everything it had read (discarding
    /// pipelined bytes). Throws if the handshake fails; the session then ends.
    /// </summary>
    public async ValueTask UpgradeToTlsAsync(CancellationToken cancellationToken)
    {
        if (!CanStartTls)
        {
            throw new InvalidOperationException("STARTTLS is not available on this connection.");
        }

        _transport = await _tlsUpgrade!(_transport, cancellationToken).ConfigureAwait(false);
        IsEncrypted = true;
    }
}
