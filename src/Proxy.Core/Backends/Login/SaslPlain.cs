using System.Text;

namespace Proxy.Core.Backends.Login;

/// <summary>The SASL PLAIN initial response (RFC 4616), with no authorization identity.</summary>
internal static class SaslPlain
{
    /// <summary>Base64 of <c>NUL user NUL password</c>; the caller has made sure neither holds a NUL.</summary>
    public static string Encode(BackendCredentials credentials) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes($"\0{credentials.UserName}\0{credentials.Password}"));
}
