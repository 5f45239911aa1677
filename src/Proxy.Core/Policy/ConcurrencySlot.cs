using System.Collections.Concurrent;

namespace Proxy.Core.Policy;

/// <summary>
/// A lock-free count of things open at once with an upper limit: enter succeeds only while the
/// count is below the limit, so the limit is never overshot, even by racing connections.
/// </summary>
internal sealed class ConcurrencySlot
{
    // -1 marks a slot retired from a ConcurrencySlots table; it can never be entered again.
    private int _count;

    public int Count => Math.Max(0, Volatile.Read(ref _count));

    /// <summary>False when the limit is reached (or the slot is retired).</summary>
    public bool TryEnter(int limit)
    {
        while (true)
        {
            var count = Volatile.Read(ref _count);
            if (count < 0 || count >= limit)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _count, count + 1, count) == count)
            {
                return true;
            }
        }
    }

    /// <summary>True when this exit brought the count to zero.</summary>
    public bool Exit() => Interlocked.Decrement(ref _count) == 0;

    /// <summary>Marks an empty slot retired; false when someone entered it meanwhile.</summary>
    public bool TryRetire() => Interlocked.CompareExchange(ref _count, -1, 0) == 0;

    public bool IsRetired => Volatile.Read(ref _count) < 0;
}

/// <summary>
/// One <see cref="ConcurrencySlot"/> per key (client address, user), created on first use and
/// removed when its count returns to zero, so the table holds only keys with something open.
/// Lock-free: an emptied slot is retired before it is removed, and a racing enter that finds a
/// retired slot helps remove it and starts again with a fresh one.
/// </summary>
internal sealed class ConcurrencySlots<TKey>(IEqualityComparer<TKey>? comparer = null)
    where TKey : notnull
{
    private readonly ConcurrentDictionary<TKey, ConcurrencySlot> _slots = new(comparer);

    /// <summary>Keys with something open (a snapshot, for tests and diagnostics).</summary>
    public int KeyCount => _slots.Count;

    public int Count(TKey key) => _slots.TryGetValue(key, out var slot) ? slot.Count : 0;

    /// <summary>The entered slot, to pass to <see cref="Exit"/>; null when the key's limit is reached.</summary>
    public ConcurrencySlot? TryEnter(TKey key, int limit)
    {
        while (true)
        {
            var slot = _slots.GetOrAdd(key, static _ => new ConcurrencySlot());
            if (slot.TryEnter(limit))
            {
                return slot;
            }

            if (!slot.IsRetired)
            {
                return null;
            }

            _slots.TryRemove(new KeyValuePair<TKey, ConcurrencySlot>(key, slot));
        }
    }

    public void Exit(TKey key, ConcurrencySlot slot)
    {
        if (slot.Exit() && slot.TryRetire())
        {
            // Removes only this retired slot, never a fresh one a racing enter has put in its place.
            _slots.TryRemove(new KeyValuePair<TKey, ConcurrencySlot>(key, slot));
        }
    }
}
