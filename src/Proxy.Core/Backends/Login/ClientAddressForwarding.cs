using System.Globalization;
using Microsoft.Extensions.Logging;
using Proxy.Core.Diagnostics;

namespace Proxy.Core.Backends.Login;

/// <summary>
/// What the proxy tells a backend that trusts it about the real client (Dovecot's
/// convention): IMAP ID fields and POP3 XCLIENT arguments, and the log of whether it could.
/// </summary>
internal static partial class ClientAddressForwarding
{
    /// <summary>RFC 2971 allows at most 30 field/value pairs in one ID.</summary>
    public const int MaxIdPairs = 30;

    /// <summary>
    /// <c>x-originating-ip</c>/<c>-port</c> (the client), <c>x-connected-ip</c>/<c>-port</c> (the
    /// proxy's address it connected to), then the client's own ID fields, without any
    /// <c>x-</c> field: the backend trusts the proxy, so a client's own <c>x-originating-ip</c>
    /// would be believed.
    /// </summary>
    public static List<KeyValuePair<string, string?>> IdFields(ForwardedClient client)
    {
        var fields = new List<KeyValuePair<string, string?>>
        {
            new("x-originating-ip", client.Remote.Address.ToString()),
            new("x-originating-port", client.Remote.Port.ToString(CultureInfo.InvariantCulture)),
        };
        if (client.Local is { } local)
        {
            fields.Add(new("x-connected-ip", local.Address.ToString()));
            fields.Add(new("x-connected-port", local.Port.ToString(CultureInfo.InvariantCulture)));
        }

        foreach (var field in client.ClientId ?? [])
        {
            if (fields.Count == MaxIdPairs)
            {
                break;
            }

            if (!field.Key.StartsWith("x-", StringComparison.OrdinalIgnoreCase))
            {
                fields.Add(field);
            }
        }

        return fields;
    }

    /// <summary>Dovecot's POP3 XCLIENT: an IP address and a port, nothing a client could shape.</summary>
    public static string XclientCommand(ForwardedClient client) =>
        string.Create(CultureInfo.InvariantCulture, $"XCLIENT ADDR={client.Remote.Address} PORT={client.Remote.Port}");

    [LoggerMessage(EventId = 3320, EventName = nameof(EventIds.BackendClientAddressForwarded), Level = LogLevel.Debug,
        Message = "Backend {Server}: client address {Client} forwarded with {Command}")]
    public static partial void Forwarded(ILogger logger, string server, string client, string command);

    [LoggerMessage(EventId = 3321, EventName = nameof(EventIds.BackendClientAddressNotForwarded), Level = LogLevel.Warning,
        Message = "Backend {Server} is configured with ForwardClientAddress, but {Reason}; it sees the proxy's address instead of {Client}")]
    public static partial void NotForwarded(ILogger logger, string server, string reason, string client);
}
