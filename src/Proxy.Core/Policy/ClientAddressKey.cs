using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Proxy.Core.Policy;

/// <summary>
/// The "client address" that per-address limits and counters are keyed by: an IPv4 address,
/// or the /64 prefix of an IPv6 address, since one subscriber gets a whole /64 and could
/// otherwise change address at every connection. A fixed-size value, so a table of them holds
/// no strings.
/// </summary>
internal static class ClientAddressKey
{
    /// <summary>The key of the connection's remote address; null when it is not an IP endpoint.</summary>
    public static UInt128? From(EndPoint? endPoint) => endPoint is IPEndPoint ip ? From(ip.Address) : null;

    public static UInt128 From(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        Span<byte> bytes = stackalloc byte[16];
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            // As ::ffff:a.b.c.d, which no IPv6 /64 key (low half zero) can equal.
            address.MapToIPv6().TryWriteBytes(bytes, out _);
            return BinaryPrimitives.ReadUInt128BigEndian(bytes);
        }

        address.TryWriteBytes(bytes, out _);
        bytes[8..].Clear();
        return BinaryPrimitives.ReadUInt128BigEndian(bytes);
    }
}
