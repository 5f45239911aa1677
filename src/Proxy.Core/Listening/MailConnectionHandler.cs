using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
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
    private readonly IReadOnlyDictionary<Configuration.MailProtocol, IFrontEndDialogueFactory> _dialogues;
    private readonly SessionOrchestrator _orchestrator;
    private readonly FrontEndCertificate _certificate;
    private readonly IHostApplicationLifetime _lifetime;

    public MailConnectionHandler(
        IEnumerable<IFrontEndDialogueFactory> dialogues,
        SessionOrchestrator orchestrator,
        FrontEndCertificate certificate,
        IHostApplicationLifetime lifetime)
    {
        _dialogues = dialogues.ToDictionary(d => d.Protocol);
        _orchestrator = orchestrator;
        _certificate = certificate;
        _lifetime = lifetime;
    }

    public async Task HandleAsync(ConnectionContext context, MailListener listener)
    {
        var certificate = _certificate.Certificate;
        var client = new ClientConnection(
            context.ConnectionId,
            context.Transport,
            listener.ImplicitTls,
            context.RemoteEndPoint,
            context.LocalEndPoint,
            certificate is null ? null : (transport, ct) => StartTlsUpgrade.UpgradeAsync(transport, certificate, ct));

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.ConnectionClosed, _lifetime.ApplicationStopping);
        var dialogue = _dialogues[listener.Protocol].Create(client);
        await _orchestrator.RunAsync(listener.Protocol, client, dialogue, stop.Token).ConfigureAwait(false);

        // After STARTTLS the session's pipes are over an SslStream Kestrel does not know about; complete them here.
        if (!ReferenceEquals(client.Input, context.Transport.Input))
        {
            await client.Output.CompleteAsync().ConfigureAwait(false);
            await client.Input.CompleteAsync().ConfigureAwait(false);
        }
    }
}
