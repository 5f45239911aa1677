namespace Proxy.Core.Backends;

/// <summary>
/// Named states of one backend attempt, as Dovecot names them (<c>state=banner</c>),
/// so a failure log says where the dialogue stopped.
/// </summary>
internal static class BackendLoginState
{
    public const string Connect = "connect";
    public const string Tls = "tls";
    public const string Banner = "banner";
    public const string StartTls = "starttls";
    public const string Capability = "capability";
    public const string ForwardClient = "forward-client";
    public const string Login = "login";
    public const string Logout = "logout";
    public const string Done = "done";
}
