using System.Text;

namespace Proxy.Core.Discovery;

/// <summary>
/// Rendezvous (highest-random-weight) hashing: each server scores every user,
/// and a user's servers are tried from the highest score down. A user always
/// gets the same order; adding or removing a server moves only the users that
/// ranked it first. The hash is stable across processes and restarts
/// (FNV-1a 64 with a final mix), unlike <see cref="string.GetHashCode()"/>.
/// </summary>
internal static class RendezvousHash
{
    public static IReadOnlyList<BackendServer> Order(IEnumerable<BackendServer> servers, string userPrincipalName)
    {
        var user = userPrincipalName.ToLowerInvariant();
        return servers
            .OrderByDescending(s => Score(user, s.Name.ToLowerInvariant()))
            .ThenBy(s => s.Name, StringComparer.OrdinalIgnoreCase)
            .ToList();
    }

    internal static ulong Score(string user, string server) => Mix(Fnv1a(server + "\n" + user));

    private static ulong Fnv1a(string text)
    {
        var hash = 14695981039346656037UL;
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            hash ^= b;
            hash *= 1099511628211UL;
        }

        return hash;
    }

    // FNV-1a spreads the last bytes poorly; MurmurHash3's finaliser fixes the avalanche.
    private static ulong Mix(ulong hash)
    {
        hash ^= hash >> 33;
        hash *= 0xff51afd7ed558ccdUL;
        hash ^= hash >> 33;
        hash *= 0xc4ceb9fe1a85ec53UL;
        hash ^= hash >> 33;
        return hash;
    }
}
