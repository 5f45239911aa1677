using Proxy.Core.Configuration;
using Proxy.Core.Diagnostics;

namespace Proxy.Core.Backends.Drain;

/// <summary>
/// One endpoint of a server as an operator names it: protocol and method, written
/// <c>imap/ssl</c>, <c>pop3/starttls</c>, <c>imap/plain</c> (the names the metrics use).
/// A server with several endpoints of one method (2010 InternalConnectionSettings) drains them together.
/// </summary>
public readonly record struct EndpointKey(MailProtocol Protocol, BackendMethod Method)
{
    public override string ToString() => $"{ProxyMetrics.ProtocolName(Protocol)}/{ProxyMetrics.MethodName(Method)}";

    /// <summary>Case-insensitive; false for anything but <c>imap</c>/<c>pop3</c> and <c>ssl</c>/<c>starttls</c>/<c>plain</c>.</summary>
    public static bool TryParse(string protocol, string method, out EndpointKey key)
    {
        MailProtocol? p = protocol.ToLowerInvariant() switch
        {
            "imap" => MailProtocol.Imap,
            "pop3" => MailProtocol.Pop3,
            _ => null,
        };
        BackendMethod? m = method.ToLowerInvariant() switch
        {
            "ssl" => BackendMethod.Ssl,
            "starttls" => BackendMethod.StartTls,
            "plain" => BackendMethod.Plain,
            _ => null,
        };
        key = p is { } pp && m is { } mm ? new EndpointKey(pp, mm) : default;
        return p is not null && m is not null;
    }
}
