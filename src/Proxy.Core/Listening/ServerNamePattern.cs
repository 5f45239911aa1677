using System.Net;

namespace Proxy.Core.Listening;

/// <summary>
/// The host names of <c>Proxy:Tls:Certificates[]:HostNames</c> and of a client's SNI, in one
/// comparable form: lower case ASCII without a trailing dot.
/// </summary>
internal static class ServerNamePattern
{
    /// <summary>
    /// Normalizes a configured name and says whether it is a wildcard (<c>*.contoso.com</c>);
    /// false with <paramref name="error"/> saying what is wrong.
    /// </summary>
    public static bool TryNormalize(string? pattern, out string normalized, out bool isWildcard, out string? error)
    {
        normalized = (pattern ?? string.Empty).Trim().TrimEnd('.').ToLowerInvariant();
        isWildcard = normalized.StartsWith("*.", StringComparison.Ordinal);
        var name = isWildcard ? normalized[2..] : normalized;
        error = name switch
        {
            "" => "is empty",
            _ when IPAddress.TryParse(name, out _) => "is an IP address: clients never send one as a server name (RFC 6066)",
            _ when name.Contains('*', StringComparison.Ordinal) => "has a wildcard that is not the whole leftmost label (*.contoso.com)",
            _ when name.Any(c => c > 127) => "is not ASCII: write an internationalized name in its xn-- form",
            _ when !IsDnsName(name) => "is not a host name",
            _ => null,
        };
        return error is null;
    }

    /// <summary>The name a client sent, comparable with normalized patterns; null when none was sent.</summary>
    public static string? NormalizeRequested(string? serverName)
    {
        var name = serverName?.TrimEnd('.');
        return string.IsNullOrEmpty(name) ? null : name.ToLowerInvariant();
    }

    private static bool IsDnsName(string name) =>
        name.Length <= 253
        && name.Split('.').All(label =>
            label.Length is > 0 and <= 63
            && label[0] != '-'
            && label[^1] != '-'
            && label.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'));
}
