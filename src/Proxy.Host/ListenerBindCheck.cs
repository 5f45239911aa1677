using System.Net;
using System.Net.Sockets;
using Proxy.Core.Diagnostics;

namespace Proxy.Host;

/// <summary>
/// Binds every configured endpoint once before Kestrel starts, so a failure
/// names the listener, address, port and reason with Exchange's event id
/// (seed 000: "start listening failed (error 10049). Binding ::110").
/// </summary>
internal static partial class ListenerBindCheck
{
    public static bool TryBindAll(IEnumerable<(string Name, IPEndPoint EndPoint)> endpoints, ILogger logger)
    {
        var ok = true;
        foreach (var (name, endPoint) in endpoints)
        {
            using var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                // Kestrel binds with SO_REUSEADDR on Unix; do the same so TIME_WAIT leftovers are not false alarms.
                socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
                socket.Bind(endPoint);
            }
            catch (SocketException ex)
            {
                ok = false;
                Report(logger, name, endPoint, ex.SocketErrorCode, ex.Message);
            }
        }

        return ok;
    }

    /// <summary>Logs a bind failure under the Exchange event id that matches its cause.</summary>
    public static void Report(ILogger logger, string name, IPEndPoint endPoint, SocketError error, string message)
    {
        var address = endPoint.Address.ToString();
        switch (error)
        {
            case SocketError.AddressAlreadyInUse:
                Log.AddressInUse(logger, name, address, endPoint.Port, message);
                break;
            case SocketError.AccessDenied:
                Log.AccessDenied(logger, name, address, endPoint.Port, message);
                break;
            case SocketError.AddressFamilyNotSupported when endPoint.AddressFamily == AddressFamily.InterNetworkV6:
                Log.Ipv6Disabled(logger, name, address, endPoint.Port, message);
                break;
            default:
                Log.AddressNotAvailable(logger, name, address, endPoint.Port, error, message);
                break;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1018, EventName = nameof(EventIds.ListenerAddressInUse), Level = LogLevel.Critical,
            Message = "Start listening failed for {Listener}: binding {Address}:{Port}: the port is already in use by another process ({Reason})")]
        public static partial void AddressInUse(ILogger logger, string listener, string address, int port, string reason);

        [LoggerMessage(EventId = 1019, EventName = nameof(EventIds.ListenerAddressNotAvailable), Level = LogLevel.Critical,
            Message = "Start listening failed for {Listener}: binding {Address}:{Port}: the address is not on this host or cannot be bound ({Error}: {Reason})")]
        public static partial void AddressNotAvailable(ILogger logger, string listener, string address, int port, SocketError error, string reason);

        [LoggerMessage(EventId = 1032, EventName = nameof(EventIds.ListenerAccessDenied), Level = LogLevel.Critical,
            Message = "Start listening failed for {Listener}: binding {Address}:{Port}: permission denied (ports below 1024 need root or CAP_NET_BIND_SERVICE) ({Reason})")]
        public static partial void AccessDenied(ILogger logger, string listener, string address, int port, string reason);

        [LoggerMessage(EventId = 1017, EventName = nameof(EventIds.ListenerIpv6Disabled), Level = LogLevel.Critical,
            Message = "Start listening failed for {Listener}: binding {Address}:{Port}: IPv6 is disabled on this host ({Reason})")]
        public static partial void Ipv6Disabled(ILogger logger, string listener, string address, int port, string reason);
    }
}
