using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Proxy.Core.Configuration;
using Proxy.Core.Diagnostics;

namespace Proxy.Core.Policy;

/// <summary>
/// Brute-force protection (<c>Proxy:BruteForce</c>, docs/security.md). Failed logins are
/// counted per login name and client address, per client address and per login name over a
/// sliding window. Past a key's tarpit threshold every attempt of that key waits, the wait
/// doubling with each failure up to a cap; past the lockout threshold of the user+address or
/// the address key, attempts are refused for the lockout period without the password being
/// checked. The user key alone never locks out, so an attacker cannot lock a user out from
/// everywhere. A success forgets the user+address and the user counts, never the address's.
/// </summary>
/// <remarks>
/// One lock guards the table: logins are rare next to relayed bytes, and the work under the
/// lock is a few array operations (a sweep of expired keys runs once per tenth of the window).
/// The table is bounded by <see cref="BruteForceOptions.MaxTrackedKeys"/>; keys hold hashes,
/// not names, so its size does not depend on what clients send.
/// </remarks>
internal sealed partial class LoginThrottle(
    IOptionsMonitor<ProxyOptions> options,
    TimeProvider timeProvider,
    ProxyMetrics metrics,
    ILogger<LoginThrottle> logger)
{
    /// <summary>The window is kept as this many slots; a failure counts for between one window and one window plus a slot.</summary>
    internal const int SlotsPerWindow = 10;

    private readonly Lock _lock = new();
    private readonly Dictionary<ThrottleKey, Entry> _entries = [];
    private TimeSpan _window;
    private DateTimeOffset _nextSweep;
    private long _failureSequence;

    /// <summary>Keys tracked now (for tests and diagnostics).</summary>
    public int TrackedKeys
    {
        get
        {
            lock (_lock)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>Before the password is checked: how long to wait first, and whether the attempt is refused outright.</summary>
    public ThrottleVerdict Check(string loginName, EndPoint? client)
    {
        var settings = options.CurrentValue.BruteForce;
        if (!settings.Enabled)
        {
            return default;
        }

        var now = timeProvider.GetUtcNow();
        var delay = TimeSpan.Zero;
        lock (_lock)
        {
            var slot = Prepare(settings, now);
            foreach (var key in Keys(loginName, client))
            {
                if (!_entries.TryGetValue(key, out var entry))
                {
                    continue;
                }

                if (entry.IsLockedOut(now))
                {
                    // The wait applies to refusals too: a client that reconnects to try again holds
                    // its connection (and its place under MaxConnectionFromSingleIP) meanwhile.
                    return new ThrottleVerdict(settings.MaxTarpitDelay, key.Scope);
                }

                var wait = TarpitDelay(settings, key.Scope, entry.Count(slot));
                delay = wait > delay ? wait : delay;
            }
        }

        return new ThrottleVerdict(delay, null);
    }

    /// <summary>After the directory refused the password (or the name): counts the failure for each key and locks out those past their threshold.</summary>
    public void RecordFailure(string loginName, EndPoint? client)
    {
        var settings = options.CurrentValue.BruteForce;
        if (!settings.Enabled)
        {
            return;
        }

        var now = timeProvider.GetUtcNow();
        List<(ThrottleScope Scope, int Failures)>? lockouts = null;
        var evicted = 0;
        lock (_lock)
        {
            var slot = Prepare(settings, now);
            foreach (var key in Keys(loginName, client))
            {
                if (!_entries.TryGetValue(key, out var entry))
                {
                    evicted += MakeRoom(settings, now, slot);
                    if (_entries.Count >= settings.MaxTrackedKeys)
                    {
                        // Every tracked key is locked out: keep those rather than forget an attacker.
                        continue;
                    }

                    entry = new Entry();
                    _entries.Add(key, entry);
                }

                if (entry.IsLockedOut(now))
                {
                    continue;
                }

                var failures = entry.Add(slot, ++_failureSequence);
                var lockoutAfter = LockoutAfter(settings, key.Scope);
                if (lockoutAfter > 0 && failures >= lockoutAfter)
                {
                    entry.LockedUntil = now + settings.LockoutDuration;
                    (lockouts ??= []).Add((key.Scope, failures));
                }
            }
        }

        if (evicted > 0)
        {
            Log.TableFull(logger, settings.MaxTrackedKeys, evicted);
        }

        foreach (var (scope, failures) in lockouts ?? [])
        {
            metrics.LoginLockout(scope == ThrottleScope.Address ? "address" : "user_and_address");
            Log.LockedOut(
                logger,
                scope == ThrottleScope.Address ? "client address" : "login name and client address",
                scope == ThrottleScope.Address ? "(any)" : loginName,
                AddressText(client),
                failures,
                settings.Window,
                now + settings.LockoutDuration);
        }
    }

    /// <summary>After the directory accepted the password: the user+address and user counts start again. The address count stays: one known password must not wash an address clean.</summary>
    public void RecordSuccess(string loginName, EndPoint? client)
    {
        var settings = options.CurrentValue.BruteForce;
        if (!settings.Enabled)
        {
            return;
        }

        var now = timeProvider.GetUtcNow();
        lock (_lock)
        {
            Prepare(settings, now);
            foreach (var key in Keys(loginName, client))
            {
                if (key.Scope != ThrottleScope.Address && _entries.TryGetValue(key, out var entry) && !entry.IsLockedOut(now))
                {
                    _entries.Remove(key);
                }
            }
        }
    }

    /// <summary>
    /// The name a user is counted under: without a <c>DOMAIN\</c> prefix or an <c>@domain</c>
    /// suffix, lower case, so <c>alice</c>, <c>alice@contoso.lab</c> and <c>CONTOSO\alice</c>
    /// share one count (the throttle runs before the directory resolves the name).
    /// </summary>
    internal static string CountedName(string loginName)
    {
        var name = loginName.AsSpan().Trim();
        var backslash = name.LastIndexOf('\\');
        if (backslash >= 0)
        {
            name = name[(backslash + 1)..];
        }

        var at = name.LastIndexOf('@');
        if (at >= 0)
        {
            name = name[..at];
        }

        return name.ToString().ToLowerInvariant();
    }

    private static IEnumerable<ThrottleKey> Keys(string loginName, EndPoint? client)
    {
        var user = UserHash(loginName);
        if (ClientAddressKey.From(client) is { } address)
        {
            yield return new ThrottleKey(ThrottleScope.UserAndAddress, user, address);
            yield return new ThrottleKey(ThrottleScope.Address, default, address);
        }

        yield return new ThrottleKey(ThrottleScope.User, user, default);
    }

    /// <summary>128 bits of SHA-256 of the counted name: fixed size whatever the client sends, and no names kept in memory.</summary>
    private static UInt128 UserHash(string loginName)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(CountedName(loginName)), hash);
        return System.Buffers.Binary.BinaryPrimitives.ReadUInt128BigEndian(hash);
    }

    private static TimeSpan TarpitDelay(BruteForceOptions settings, ThrottleScope scope, int failures)
    {
        var after = scope switch
        {
            ThrottleScope.UserAndAddress => settings.UserAndAddressTarpitAfter,
            ThrottleScope.Address => settings.AddressTarpitAfter,
            _ => settings.UserTarpitAfter,
        };
        if (after <= 0 || failures < after)
        {
            return TimeSpan.Zero;
        }

        // TarpitDelay at the threshold, doubling with each further failure, never above the cap.
        var doublings = failures - after;
        if (doublings >= 30)
        {
            return settings.MaxTarpitDelay;
        }

        var delay = settings.TarpitDelay * (1L << doublings);
        return delay < settings.MaxTarpitDelay ? delay : settings.MaxTarpitDelay;
    }

    private static int LockoutAfter(BruteForceOptions settings, ThrottleScope scope) => scope switch
    {
        ThrottleScope.UserAndAddress => settings.UserAndAddressLockoutAfter,
        ThrottleScope.Address => settings.AddressLockoutAfter,
        // Never: a lockout by name alone would let anyone lock any user out from everywhere.
        _ => 0,
    };

    private static string AddressText(EndPoint? client) => (client as IPEndPoint)?.Address.ToString() ?? "unknown";

    /// <summary>The current slot number; forgets everything when the window changed, and sweeps when due. Under the lock.</summary>
    private long Prepare(BruteForceOptions settings, DateTimeOffset now)
    {
        if (settings.Window != _window)
        {
            // Slots of another length cannot be compared: a changed window starts every count afresh.
            _entries.Clear();
            _window = settings.Window;
            _nextSweep = now;
        }

        var slotTicks = Math.Max(1, settings.Window.Ticks / SlotsPerWindow);
        var slot = now.UtcTicks / slotTicks;
        if (now >= _nextSweep)
        {
            Sweep(now, slot);
            _nextSweep = now + TimeSpan.FromTicks(slotTicks);
        }

        return slot;
    }

    /// <summary>Forgets keys with no failure left in the window and no lockout running.</summary>
    private int Sweep(DateTimeOffset now, long slot)
    {
        var removed = 0;
        foreach (var (key, entry) in _entries)
        {
            if (!entry.IsLockedOut(now) && entry.Count(slot) == 0)
            {
                _entries.Remove(key);
                removed++;
            }
        }

        return removed;
    }

    /// <summary>
    /// At the cap: expired keys go first, then the unlocked keys whose last failure is oldest,
    /// down to nine tenths of the cap so the next insertions do not sort again. Returns how many
    /// live keys were forgotten.
    /// </summary>
    private int MakeRoom(BruteForceOptions settings, DateTimeOffset now, long slot)
    {
        if (_entries.Count < settings.MaxTrackedKeys)
        {
            return 0;
        }

        Sweep(now, slot);
        var target = settings.MaxTrackedKeys - Math.Max(1, settings.MaxTrackedKeys / 10);
        if (_entries.Count <= target)
        {
            return 0;
        }

        var oldest = _entries
            .Where(e => !e.Value.IsLockedOut(now))
            .OrderBy(e => e.Value.LastFailure)
            .Take(_entries.Count - target)
            .Select(e => e.Key)
            .ToList();
        foreach (var key in oldest)
        {
            _entries.Remove(key);
        }

        return oldest.Count;
    }

    private readonly record struct ThrottleKey(ThrottleScope Scope, UInt128 User, UInt128 Address);

    /// <summary>One key's failures, in a ring of slots covering the window and one slot more.</summary>
    private sealed class Entry
    {
        private readonly int[] _slots = new int[SlotsPerWindow + 1];
        private long _newestSlot;

        public DateTimeOffset LockedUntil { get; set; }

        /// <summary>When the last failure was counted, as a sequence number: recency without ties, for eviction.</summary>
        public long LastFailure { get; private set; }

        /// <summary>True while locked out; a lockout that has run out is lifted here and its failures forgotten.</summary>
        public bool IsLockedOut(DateTimeOffset now)
        {
            if (LockedUntil == default)
            {
                return false;
            }

            if (now < LockedUntil)
            {
                return true;
            }

            LockedUntil = default;
            Array.Clear(_slots);
            return false;
        }

        public int Count(long slot)
        {
            Advance(slot);
            return _slots.Sum();
        }

        public int Add(long slot, long sequence)
        {
            Advance(slot);
            _slots[slot % _slots.Length]++;
            LastFailure = sequence;
            return _slots.Sum();
        }

        /// <summary>Empties the slots that have left the window since the last call.</summary>
        private void Advance(long slot)
        {
            if (slot <= _newestSlot)
            {
                return;
            }

            if (slot - _newestSlot >= _slots.Length)
            {
                Array.Clear(_slots);
            }
            else
            {
                for (var s = _newestSlot + 1; s <= slot; s++)
                {
                    _slots[s % _slots.Length] = 0;
                }
            }

            _newestSlot = slot;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 3220, EventName = nameof(EventIds.LoginLockout), Level = LogLevel.Warning,
            Message = "Brute-force protection: the {Scope} (login name {User}, client {ClientAddress}) had {Failures} failed logins within {Window} and is locked out until {Until:u}; attempts are refused without checking the password.")]
        public static partial void LockedOut(ILogger logger, string scope, string user, string clientAddress, int failures, TimeSpan window, DateTimeOffset until);

        [LoggerMessage(EventId = 3224, EventName = nameof(EventIds.LoginThrottleTableFull), Level = LogLevel.Warning,
            Message = "Brute-force protection tracks its maximum of {MaxTrackedKeys} keys; the {Evicted} with the oldest failures were forgotten (Proxy:BruteForce:MaxTrackedKeys).")]
        public static partial void TableFull(ILogger logger, int maxTrackedKeys, int evicted);
    }
}
