using System.Net.Sockets;
using System.Security.Authentication;
using Microsoft.Extensions.Logging.Abstractions;
using Proxy.Core.Backends.Connect;
using Proxy.Core.Backends.Login;
using Proxy.Core.Configuration;
using Proxy.Core.Discovery;

namespace Proxy.Core.Backends.Health;

/// <summary>
/// Probes an endpoint the way a session would reach it, with the same socket, TLS and
/// certificate checks (<see cref="BackendSocket"/>, <see cref="BackendConnection"/>,
/// <see cref="BackendTls"/>) and the protocol's own dialogue up to, never including, the login.
/// </summary>
internal sealed class BackendProber : IEndpointProber
{
    private readonly Dictionary<MailProtocol, IBackendLogin> _logins;
    private readonly TimeProvider _timeProvider;

    // Certificate rejections reach the health state in the failure text; logging them (3305) on
    // every probe of a misconfigured endpoint would repeat one warning every interval.
    private readonly BackendTls _tls = new(NullLogger.Instance);

    public BackendProber(IEnumerable<IBackendLogin> logins, TimeProvider timeProvider)
    {
        _logins = logins.ToDictionary(login => login.Protocol);
        _timeProvider = timeProvider;
    }

    public async Task<ProbeResult> ProbeAsync(EndpointKey key, BackendServer server, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var login = _logins.GetValueOrDefault(key.Protocol)
            ?? throw new InvalidOperationException($"No backend login is registered for {key.Protocol}.");
        var started = _timeProvider.GetTimestamp();
        using var deadline = new CancellationTokenSource(timeout, _timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, cancellationToken);
        var connection = new BackendConnection(new ConnectionAttempt(server, key.Endpoint), _tls);
        await using (connection.ConfigureAwait(false))
        {
            try
            {
                var socket = await BackendSocket.ConnectAsync(key.Endpoint.Host, key.Endpoint.Port, linked.Token).ConfigureAwait(false);
                await connection.OpenAsync(socket, linked.Token).ConfigureAwait(false);
                await login.ProbeAsync(connection, linked.Token).ConfigureAwait(false);
                return ProbeResult.Success(Elapsed(started));
            }
            catch (Exception e) when (Classify(e, connection.State, timeout, deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested) is { } failure)
            {
                // Capabilities were answered: a goodbye that goes wrong says nothing about the endpoint.
                return connection.State == BackendLoginState.Logout
                    ? ProbeResult.Success(Elapsed(started))
                    : ProbeResult.Failed(failure.Kind, $"{failure.Reason} (state={connection.State})", Elapsed(started));
            }
        }
    }

    private static (BackendFailureKind Kind, string Reason)? Classify(Exception exception, string state, TimeSpan timeout, bool timedOut) => exception switch
    {
        BackendFailureException e => (e.Kind, e.Message),
        // The same verdict a session attempt gets for a server that accepts but never greets.
        OperationCanceledException when timedOut && state == BackendLoginState.Banner => (BackendFailureKind.BadGreeting, $"no greeting within Health:ProbeTimeout ({timeout})"),
        OperationCanceledException when timedOut => (BackendFailureKind.Timeout, $"no answer within Health:ProbeTimeout ({timeout})"),
        AuthenticationException e => (BackendFailureKind.Tls, e.Message),
        SocketException or IOException or ObjectDisposedException => (BackendFailureKind.Connect, exception.Message),
        _ => null,
    };

    private TimeSpan Elapsed(long started) => _timeProvider.GetElapsedTime(started);
}
