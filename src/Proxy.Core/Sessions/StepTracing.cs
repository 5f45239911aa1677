using System.Diagnostics;
using Proxy.Core.Backends;
using Proxy.Core.Diagnostics;
using Proxy.Core.Directory;
using Proxy.Core.Discovery;
using Proxy.Core.Policy;
using Proxy.Core.Relay;

namespace Proxy.Core.Sessions;

/// <summary>
/// The attributes of the step spans under <c>session</c> (docs/telemetry.md, Traces):
/// what each step decided, and Error with <c>error.type</c> when it is why the login failed.
/// Values are closed sets or topology names; nothing the client typed.
/// </summary>
internal static class StepTracing
{
    public static void Authenticated(Activity? span, DirectoryResult identity)
    {
        var outcome = identity.Outcome switch
        {
            DirectoryOutcome.Success => "success",
            DirectoryOutcome.Disabled => "disabled",
            DirectoryOutcome.Unavailable => "directory_unavailable",
            _ => "invalid_credentials",
        };
        span?.SetTag("proxy.auth.outcome", outcome);
        if (identity.Outcome != DirectoryOutcome.Success)
        {
            span.Fail(outcome);
        }
    }

    public static void Discovered(Activity? span, MailboxLocation? location)
    {
        if (location is null)
        {
            span.Fail("mailbox_not_found");
            return;
        }

        span?.SetTag("proxy.mailbox.database", location.Database.Name);
        span?.SetTag("proxy.mailbox.server", location.MailboxServer.Name);
        span?.SetTag("proxy.mailbox.site", location.Site);
        span?.SetTag("proxy.mailbox.version", location.MailboxServer.Version.ToString());
        span?.SetTag("proxy.discovery.candidates", location.Candidates.Count);
    }

    public static void Decided(Activity? span, PolicyDecision decision)
    {
        var name = decision switch
        {
            PolicyDecision.Allowed => "allowed",
            PolicyDecision.CrossSiteDenied => "cross_site_denied",
            _ => "privileged_denied",
        };
        span?.SetTag("proxy.policy.decision", name);
        if (decision != PolicyDecision.Allowed)
        {
            span.Fail(name);
        }
    }

    /// <param name="planned">Attempts planned; the connector adds one <c>backend.attempt</c> child per attempt made.</param>
    public static void Connected(Activity? span, BackendConnectResult connected, int planned)
    {
        span?.SetTag("proxy.backend.planned_attempts", planned);
        if (connected.Session is { } session)
        {
            span?.SetTag("proxy.backend.outcome", "success");
            span?.SetTag("proxy.backend.server", session.Server.Name);
            span?.SetTag("proxy.backend.method", ProxyMetrics.MethodName(session.Method));
            return;
        }

        var outcome = BackendOutcomes.Name(connected.Failure);
        span?.SetTag("proxy.backend.outcome", outcome);
        span.Fail(outcome);
    }

    public static void Relayed(Activity? span, RelayResult result)
    {
        span?.SetTag("proxy.relay.end", RelayEndName(result.End));
        span?.SetTag("proxy.relay.client_to_backend_bytes", result.ClientToBackendBytes);
        span?.SetTag("proxy.relay.backend_to_client_bytes", result.BackendToClientBytes);
        if (result.End == RelayEnd.Faulted)
        {
            span.Fail("relay_faulted");
        }
    }

    private static string RelayEndName(RelayEnd end) => end switch
    {
        RelayEnd.ClientClosed => "client_closed",
        RelayEnd.BackendClosed => "backend_closed",
        RelayEnd.IdleTimeout => "idle_timeout",
        RelayEnd.Cancelled => "cancelled",
        _ => "faulted",
    };
}
