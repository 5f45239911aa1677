using Proxy.Core.Backends.Connect;
using Proxy.Core.Configuration;

namespace Proxy.Core.Backends.Login;

/// <summary>
/// The per-protocol part of step 5: the dialogue from the backend's greeting to
/// its answer to the login, on a connection the connector has opened (and, for
/// implicit TLS, secured). The connector picks the implementation by <see cref="Protocol"/>.
/// </summary>
internal interface IBackendLogin
{
    MailProtocol Protocol { get; }

    /// <summary>
    /// Reads the greeting, upgrades with STARTTLS/STLS when the attempt's method is
    /// <see cref="BackendMethod.StartTls"/>, and logs in with the strongest mechanism
    /// the backend offers. Keeps <see cref="BackendConnection.State"/> current.
    /// </summary>
    /// <returns>The response the client is shown (see <see cref="BackendSession.LoginResponse"/>).</returns>
    /// <exception cref="BackendFailureException">The attempt failed; its kind says how.</exception>
    Task<string> LoginAsync(BackendConnection connection, BackendCredentials credentials, CancellationToken cancellationToken);

    /// <summary>
    /// A health probe on the same dialogue, without logging in: reads the greeting, upgrades with
    /// STARTTLS/STLS when the method asks for it, asks CAPABILITY/CAPA, then says LOGOUT/QUIT.
    /// Keeps <see cref="BackendConnection.State"/> current; it reads <see cref="BackendLoginState.Logout"/>
    /// once the capabilities are in, so a goodbye that goes wrong need not fail the probe.
    /// </summary>
    /// <exception cref="BackendFailureException">The endpoint failed before the goodbye; the kind says how.</exception>
    Task ProbeAsync(BackendConnection connection, CancellationToken cancellationToken);
}
