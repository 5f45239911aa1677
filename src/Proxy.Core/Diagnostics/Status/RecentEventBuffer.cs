namespace Proxy.Core.Diagnostics.Status;

/// <summary>
/// The last refusals and errors, newest first, in a fixed ring under a lock: a logging call
/// adds one entry and allocates nothing else, and a brute-force attack cannot grow it.
/// </summary>
public sealed class RecentEventBuffer
{
    private readonly Lock _gate = new();
    private readonly RecentEvent?[] _ring;
    private int _next;
    private int _count;

    public RecentEventBuffer(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _ring = new RecentEvent?[capacity];
    }

    public int Capacity => _ring.Length;

    public void Add(RecentEvent entry)
    {
        lock (_gate)
        {
            _ring[_next] = entry;
            _next = (_next + 1) % _ring.Length;
            _count = Math.Min(_count + 1, _ring.Length);
        }
    }

    /// <summary>At most <paramref name="max"/> entries, newest first.</summary>
    public IReadOnlyList<RecentEvent> Newest(int max)
    {
        lock (_gate)
        {
            var take = Math.Clamp(max, 0, _count);
            var result = new RecentEvent[take];
            for (var i = 0; i < take; i++)
            {
                result[i] = _ring[(_next - 1 - i + _ring.Length) % _ring.Length]!;
            }

            return result;
        }
    }
}
