using System.Net;
using System.Runtime.CompilerServices;

namespace Proxy.Core.Configuration;

/// <summary>
/// A parsed list of networks (<c>TrustedNetworks</c>): CIDR blocks or single addresses,
/// IPv4 and IPv6. An IPv4 client on a dual-stack listener arrives as an IPv4-mapped IPv6
/// address and is matched as the IPv4 address it is.
/// </summary>
public sealed class NetworkList
{
    // Options instances are replaced, never changed, on reload: one parse per list instance.
    private static readonly ConditionalWeakTable<IReadOnlyList<string>, NetworkList> Parsed = new();

    private readonly IPNetwork[] _networks;

    private NetworkList(IPNetwork[] networks)
    {
        _networks = networks;
    }

    public static NetworkList Empty { get; } = new([]);

    public bool IsEmpty => _networks.Length == 0;

    /// <summary>The list for validated options; entries that do not parse are left out (validation has refused them at start).</summary>
    public static NetworkList Of(IReadOnlyList<string> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        return entries.Count == 0 ? Empty : Parsed.GetValue(entries, static e => new NetworkList(
            e.Select(entry => TryParse(entry, out var network, out _) ? network : (IPNetwork?)null)
             .OfType<IPNetwork>()
             .ToArray()));
    }

    /// <summary><c>10.0.0.0/8</c>, <c>fd00::/8</c>, or a bare address (one host).</summary>
    /// <param name="error">Why the entry is not a network, for a validation message.</param>
    public static bool TryParse(string? entry, out IPNetwork network, out string? error)
    {
        network = default;
        var text = entry?.Trim() ?? "";
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        var addressText = slash < 0 ? text : text[..slash];
        if (!IPAddress.TryParse(addressText, out var address) || addressText.Contains('%', StringComparison.Ordinal))
        {
            error = $"'{entry}' is not an IP address or CIDR block (e.g. 10.0.0.0/8, fd00::/8)";
            return false;
        }

        var maxPrefix = address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128;
        var prefix = maxPrefix;
        if (slash >= 0 && (!int.TryParse(text.AsSpan(slash + 1), System.Globalization.NumberStyles.None, null, out prefix) || prefix > maxPrefix))
        {
            error = $"'{entry}': the prefix length must be 0-{maxPrefix}";
            return false;
        }

        // IPNetwork refuses host bits beyond the prefix; say which block was probably meant.
        var block = new IPNetwork(Mask(address, prefix), prefix);
        if (!block.BaseAddress.Equals(address))
        {
            error = $"'{entry}' has bits set after the prefix; write {block}";
            return false;
        }

        network = block;
        error = null;
        return true;
    }

    public bool Contains(EndPoint? endPoint) =>
        endPoint is IPEndPoint ip && Contains(ip.Address);

    public bool Contains(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        foreach (var network in _networks)
        {
            if (network.Contains(address))
            {
                return true;
            }
        }

        return false;
    }

    private static IPAddress Mask(IPAddress address, int prefix)
    {
        var bytes = address.GetAddressBytes();
        for (var i = 0; i < bytes.Length; i++)
        {
            var bits = Math.Clamp(prefix - (i * 8), 0, 8);
            bytes[i] &= (byte)(0xFF << (8 - bits));
        }

        return new IPAddress(bytes);
    }
}
