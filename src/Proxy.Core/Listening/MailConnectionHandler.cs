using System.Net.Security;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Proxy.Core.Policy;
using Proxy.Core.PreAuth;
using Proxy.Core.Sessions;

namespace Proxy.Core.Listening;

/// <summary>
/// Kestrel's entry point for every mail connection. Shared by all connections
/// of all mail listeners: per-session state lives in the session objects it
/// creates, never here.
/// </summary>
internal sealed class MailConnectionHandler
{
    private static readonly TimeSpan TlsCloseTimeout = TimeSpan.FromSeconds(5);

    private readonly IReadOnlyDictionary<Configuration.MailProtocol, IFrontEndDialogueFactory> _dialogues;
    private readonly SessionOrchestrator _orchestrator;
    private readonly FrontEndCertificate _certificate;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly ConnectionLimits _limits;
    private readonly SessionRegistry _sessions;

    public MailConnectionHandler(
        IEnumerable<IFrontEndDialogueFactory> dialogues,
        SessionOrchestrator orchestrator,
        FrontEndCertificate certificate,
        IHostApplicationLifetime lifetime,
        ConnectionLimits limits,
        SessionRegistry sessions)
    {
        _dialogues = dialogues.ToDictionary(d => d.Protocol);
        _orchestrator = orchestrator;
        _certificate = certificate;
        _lifetime = lifetime;
        _limits = limits;
        _sessions = sessions;
    }

    public async Task HandleAsync(ConnectionContext context, MailListener listener)
    {
        // Implicit TLS: Kestrel's middleware has finished the handshake and nothing has read or written since.
        if (context.Features.Get<ISslStreamFeature>()?.SslStream is { } implicitTls)
        {
            TlsIdleBuffers.Release(implicitTls);
        }

        StreamDuplexPipe? upgraded = null;
        var client = new ClientConnection(
            context.ConnectionId,
            context.Transport,
            listener.ImplicitTls,
            context.RemoteEndPoint,
            context.LocalEndPoint,
            _certificate.IsConfigured ? async (transport, ct) => upgraded = await StartTlsUpgrade.UpgradeAsync(transport, _certificate, ct).ConfigureAwait(false) : null);

        // Only the session's own tokens end it: the registry cancels them for a kick, a drain or host
        // shutdown. Kestrel's ConnectionClosed is not used: it also fires on the client's FIN, which would
        // cut off the backend's reply to a LOGOUT/QUIT sent just before a half-close; the end of the
        // client's input is seen through the pipe instead.
        var dialogue = _dialogues[listener.Protocol].Create(client);

        // MaxConnections and MaxConnectionFromSingleIP count this connection until it is closed; past
        // either, the refusal is the greeting itself (ConnectionLimits logs and counts it).
        using var lease = _limits.TryOpenConnection(listener.Protocol, context.RemoteEndPoint, out var refusal);
        if (lease is null)
        {
            await dialogue.RefuseConnectionAsync(refusal, _lifetime.ApplicationStopping).ConfigureAwait(false);
        }
        else
        {
            using var session = _sessions.Register(context.ConnectionId, listener.Protocol, context.RemoteEndPoint, listener);
            await _orchestrator.RunAsync(listener.Protocol, client, dialogue, session).ConfigureAwait(false);
        }

        // Implicit TLS runs in Kestrel's middleware, which disposes its SslStream without a close_notify.
        await CloseTlsAsync(client, upgraded?.Stream ?? context.Features.Get<ISslStreamFeature>()?.SslStream).ConfigureAwait(false);

        // After STARTTLS the session's pipes are over an SslStream Kestrel does not know about; complete them here.
        if (upgraded is not null)
        {
            await client.Output.CompleteAsync().ConfigureAwait(false);
            await client.Input.CompleteAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Ends TLS the way RFC 8446 (6.1) asks, with a close_notify after the last byte: without it
    /// strict clients (OpenSSL 3) report an unexpected EOF, which a truncation attack would also
    /// look like. Bounded, and quiet when the client has already gone.
    /// </summary>
    private static async Task CloseTlsAsync(ClientConnection client, SslStream? ssl)
    {
        if (ssl is null)
        {
            return;
        }

        try
        {
            using var timeout = new CancellationTokenSource(TlsCloseTimeout);
            await client.Output.FlushAsync(timeout.Token).ConfigureAwait(false);
            await ssl.ShutdownAsync().WaitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException or OperationCanceledException or NotSupportedException)
        {
            // The client closed first, or is not reading: nothing more to say to it.
        }
    }
}
