using System.Diagnostics;
using Proxy.Core.Diagnostics;
using Proxy.Core.Discovery;

namespace Proxy.Core.Backends.Connect;

/// <summary>
/// One <c>backend.attempt</c> span per dialled endpoint, a child of the session's
/// <c>backend</c> span, so a trace shows every method and server tried and why each failed.
/// </summary>
internal static class AttemptTracing
{
    public static Activity? Start(ConnectionAttempt attempt, int number)
    {
        var span = ProxyActivitySource.Instance.StartActivity("backend.attempt", ActivityKind.Client);
        if (span is null)
        {
            return null;
        }

        span.SetTag("proxy.backend.server", attempt.Server.Name);
        span.SetTag("proxy.backend.site", attempt.Server.Site);
        span.SetTag("proxy.backend.method", ProxyMetrics.MethodName(attempt.Endpoint.Method));
        span.SetTag("proxy.backend.attempt", number);
        span.SetTag("server.address", attempt.Endpoint.Host);
        span.SetTag("server.port", attempt.Endpoint.Port);
        return span;
    }

    public static void Succeeded(Activity? span, BackendConnection connection)
    {
        Peer(span, connection);
        span?.SetTag("proxy.backend.outcome", BackendOutcomes.Name(BackendFailureKind.None));
    }

    /// <param name="reason">Already safe to log: backend lines in it are truncated and the password masked.</param>
    public static void Failed(Activity? span, BackendConnection connection, BackendFailureKind kind, string reason)
    {
        Peer(span, connection);
        var outcome = BackendOutcomes.Name(kind);
        span?.SetTag("proxy.backend.outcome", outcome);
        span?.SetTag("proxy.backend.state", connection.State);
        span.Fail(outcome, reason);
    }

    private static void Peer(Activity? span, BackendConnection connection)
    {
        if (connection.RemoteEndPoint is { } peer)
        {
            span?.SetTag("network.peer.address", peer.Address.ToString());
            span?.SetTag("network.peer.port", peer.Port);
        }
    }
}
