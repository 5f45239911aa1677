using System.Diagnostics;
using System.Net;
using Proxy.Core.Backends;
using Proxy.Core.Configuration;
using Proxy.Core.Diagnostics;
using Proxy.Core.Listening;

namespace Proxy.Core.Sessions;

/// <summary>
/// The attributes of the <c>session</c> span (docs/telemetry.md, Traces). OpenTelemetry's
/// names where they exist, <c>proxy.*</c> for the rest. Never a password: only the
/// directory's canonical user name, once the directory knows the user, so a password typed
/// into the user field never lands in a trace.
/// </summary>
internal static class SessionTracing
{
    public static void Started(Activity? session, MailProtocol protocol, ClientConnection client)
    {
        if (session is null)
        {
            return;
        }

        session.SetTag("network.protocol.name", ProxyMetrics.ProtocolName(protocol));
        session.SetTag("proxy.session.id", client.Id);
        session.SetTag("proxy.client.implicit_tls", client.IsImplicitTls);
        if (client.RemoteEndPoint is IPEndPoint remote)
        {
            // No forwarding in front of the proxy: the client is the peer.
            session.SetTag("client.address", remote.Address.ToString());
            session.SetTag("client.port", remote.Port);
            session.SetTag("network.peer.address", remote.Address.ToString());
            session.SetTag("network.peer.port", remote.Port);
        }

        if (client.LocalEndPoint is IPEndPoint local)
        {
            session.SetTag("server.address", local.Address.ToString());
            session.SetTag("server.port", local.Port);
        }
    }

    public static void UserKnown(Activity? session, string userPrincipalName) => session?.SetTag("enduser.id", userPrincipalName);

    public static void LoggedIn(Activity? session, BackendSession backend, bool clientEncrypted)
    {
        session?.SetTag("proxy.login.outcome", "success");
        session?.SetTag("proxy.client.encrypted", clientEncrypted);
        session?.SetTag("proxy.backend.server", backend.Server.Name);
        session?.SetTag("proxy.backend.site", backend.Server.Site);
        session?.SetTag("proxy.backend.method", ProxyMetrics.MethodName(backend.Method));
        // A refused first try followed by a good one is a successful session.
        session?.SetStatus(ActivityStatusCode.Unset);
        session?.SetTag("error.type", null);
    }

    /// <summary>Each failed login marks the session failed; a later successful login clears it.</summary>
    public static void LoginFailed(Activity? session, string outcome, int failures)
    {
        session?.SetTag("proxy.login.outcome", outcome);
        session?.SetTag("proxy.login.failures", failures);
        session.Fail(outcome);
    }
}
