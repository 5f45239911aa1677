using System.Globalization;
using Proxy.Core.Configuration;

namespace Proxy.Core.Discovery;

/// <summary>
/// One entry of an Exchange 2010 CAS's POP/IMAP <c>InternalConnectionSettings</c>:
/// <c>host:port:SSL|TLS|None</c>, where a blank or missing method means plaintext
/// and an IPv6 host is written in [brackets].
/// </summary>
internal static class InternalConnectionSetting
{
    public const string Format = "host:port:SSL|TLS|None";

    public static bool TryParse(string? text, out BackendEndpoint endpoint, out string error)
    {
        endpoint = null!;
        var value = text?.Trim() ?? "";
        if (value.Length == 0)
        {
            error = $"empty (expected {Format})";
            return false;
        }

        string hostPart;
        string rest;
        if (value.StartsWith('['))
        {
            var close = value.IndexOf(']', StringComparison.Ordinal);
            if (close < 0 || close + 1 >= value.Length || value[close + 1] != ':')
            {
                error = $"'{value}' is not {Format} (an IPv6 host is [address]:port:method)";
                return false;
            }

            hostPart = value[..(close + 1)];
            rest = value[(close + 2)..];
        }
        else
        {
            var colon = value.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0)
            {
                error = $"'{value}' is not {Format} (no port)";
                return false;
            }

            hostPart = value[..colon];
            rest = value[(colon + 1)..];
        }

        var fields = rest.Split(':');
        if (fields.Length > 2)
        {
            error = $"'{value}' is not {Format} (too many ':'; write an IPv6 host in [brackets])";
            return false;
        }

        if (HostName.Normalize(hostPart) is not { } host)
        {
            error = $"'{value}': '{hostPart}' is not a host name or IP address";
            return false;
        }

        if (!int.TryParse(fields[0].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
        {
            error = $"'{value}': port '{fields[0].Trim()}' is not 1-65535";
            return false;
        }

        var method = fields.Length == 2 ? fields[1].Trim() : "";
        BackendMethod? parsed = method.ToUpperInvariant() switch
        {
            "SSL" => BackendMethod.Ssl,
            "TLS" => BackendMethod.StartTls,
            "" or "NONE" => BackendMethod.Plain,
            _ => null,
        };
        if (parsed is null)
        {
            error = $"'{value}': method '{method}' is not SSL, TLS, None or blank";
            return false;
        }

        endpoint = new BackendEndpoint(host, port, parsed.Value);
        error = "";
        return true;
    }
}
