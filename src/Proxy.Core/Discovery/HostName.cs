namespace Proxy.Core.Discovery;

/// <summary>Host names as the topology accepts them: DNS names, IPv4, and IPv6 with or without [brackets].</summary>
internal static class HostName
{
    /// <summary>The host without IPv6 brackets (the form sockets and DNS take), or null when it is no host name.</summary>
    public static string? Normalize(string? value)
    {
        var host = value?.Trim();
        if (string.IsNullOrEmpty(host))
        {
            return null;
        }

        if (host.StartsWith('[') && host.EndsWith(']'))
        {
            host = host[1..^1];
            return Uri.CheckHostName(host) == UriHostNameType.IPv6 ? host : null;
        }

        return Uri.CheckHostName(host) == UriHostNameType.Unknown ? null : host;
    }
}
