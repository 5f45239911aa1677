using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace Proxy.Core.Directory;

/// <summary>
/// Remembers successful password checks for a short time, because PBKDF2 is
/// deliberately slow and a busy proxy would otherwise spend its CPU on it
/// (Dovecot's auth_cache does the same). The key is an HMAC, with a random
/// per-process key, of the user and password: neither the password nor an
/// offline-crackable hash of it is kept. Failures are never cached.
/// </summary>
internal sealed class SuccessCache(TimeProvider timeProvider, TimeSpan timeToLive)
{
    // Sweeping expired entries once the cache is this large keeps memory bounded
    // without a timer; only correct passwords get in, so it grows slowly.
    private const int SweepThreshold = 4096;

    private readonly byte[] _key = RandomNumberGenerator.GetBytes(32);
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    /// <summary>True when this user and password succeeded recently and <paramref name="current"/> is still the entry that succeeded.</summary>
    public bool IsRecentSuccess(DirectoryUser current, string password)
    {
        if (timeToLive <= TimeSpan.Zero)
        {
            return false;
        }

        var key = KeyOf(current.UserPrincipalName, password);
        if (!_entries.TryGetValue(key, out var entry))
        {
            return false;
        }

        // A changed entry (new password hash, disabled, moved database) must be checked again.
        if (entry.ExpiresAt <= timeProvider.GetUtcNow() || entry.User != current)
        {
            _entries.TryRemove(new KeyValuePair<string, Entry>(key, entry));
            return false;
        }

        return true;
    }

    public void Add(DirectoryUser user, string password)
    {
        if (timeToLive <= TimeSpan.Zero)
        {
            return;
        }

        var now = timeProvider.GetUtcNow();
        if (_entries.Count >= SweepThreshold)
        {
            foreach (var pair in _entries)
            {
                if (pair.Value.ExpiresAt <= now)
                {
                    _entries.TryRemove(pair);
                }
            }
        }

        _entries[KeyOf(user.UserPrincipalName, password)] = new Entry(user, now + timeToLive);
    }

    private string KeyOf(string userPrincipalName, string password)
    {
        // The UPN holds no control characters, so the NUL separator is unambiguous.
        var input = Encoding.UTF8.GetBytes(userPrincipalName.ToLowerInvariant() + "\0" + password);
        try
        {
            return Convert.ToBase64String(HMACSHA256.HashData(_key, input));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(input);
        }
    }

    private sealed record Entry(DirectoryUser User, DateTimeOffset ExpiresAt);
}
