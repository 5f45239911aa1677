using System.Net;
using Proxy.Core.Configuration;

namespace Proxy.Core.Listening;

/// <summary>One configured mail listening socket, resolved from <see cref="ListenerOptions"/>.</summary>
public sealed record MailListener(MailProtocol Protocol, IPEndPoint EndPoint, bool ImplicitTls, string ConfigurationKey)
{
    public override string ToString() => $"{Protocol} {EndPoint}{(ImplicitTls ? " (TLS)" : "")}";

    /// <summary>Every listener of both protocols, or an error naming the key whose address does not parse.</summary>
    public static IReadOnlyList<MailListener> FromOptions(ProxyOptions options)
    {
        var listeners = new List<MailListener>();
        Add(MailProtocol.Imap, options.Imap, "Proxy:Imap:Listeners");
        Add(MailProtocol.Pop3, options.Pop3, "Proxy:Pop3:Listeners");
        return listeners;

        void Add(MailProtocol protocol, MailProtocolOptions protocolOptions, string key)
        {
            for (var i = 0; i < protocolOptions.Listeners.Count; i++)
            {
                var listener = protocolOptions.Listeners[i];
                var itemKey = $"{key}:{i}";
                listeners.Add(new MailListener(protocol, new IPEndPoint(ParseAddress(listener.Address, itemKey), listener.Port), listener.ImplicitTls, itemKey));
            }
        }
    }

    /// <summary><c>*</c> and <c>0.0.0.0</c> mean every IPv4 address; <c>::</c> every address.</summary>
    public static IPAddress ParseAddress(string address, string key) => address.Trim() switch
    {
        "*" or "" => IPAddress.Any,
        var text when IPAddress.TryParse(text.Trim('[', ']'), out var parsed) => parsed,
        var text => throw new FormatException($"{key}:Address: '{text}' is not an IP address (use *, 0.0.0.0, :: or a literal address)"),
    };
}
