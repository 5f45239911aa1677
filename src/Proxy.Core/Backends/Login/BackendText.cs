using System.Text;

namespace Proxy.Core.Backends.Login;

/// <summary>Makes backend lines and credentials safe to talk about in logs and failure messages.</summary>
internal static class BackendText
{
    private const int MaxLoggedLength = 200;

    /// <summary>
    /// The line truncated, with control characters replaced and the password masked:
    /// a backend that echoes the command it refuses must not put the password in the log.
    /// </summary>
    public static string ForLog(string line, BackendCredentials credentials)
    {
        if (credentials.Password.Length > 0)
        {
            line = line.Replace(credentials.Password, "********", StringComparison.Ordinal);
        }

        var text = new StringBuilder(Math.Min(line.Length, MaxLoggedLength) + 3);
        foreach (var c in line.Length > MaxLoggedLength ? line[..MaxLoggedLength] : line)
        {
            text.Append(char.IsControl(c) ? '?' : c);
        }

        return line.Length > MaxLoggedLength ? text.Append("...").ToString() : text.ToString();
    }

    /// <summary>True when a credential cannot be carried by SASL or a line-based command.</summary>
    public static bool ContainsNul(BackendCredentials credentials) =>
        credentials.UserName.Contains('\0') || credentials.Password.Contains('\0');

    /// <summary>True when a credential would break a line-based command (POP3 USER/PASS).</summary>
    public static bool ContainsLineBreakOrNul(string value) => value.AsSpan().IndexOfAny('\r', '\n', '\0') >= 0;
}
