namespace Proxy.Core.Diagnostics.Status;

/// <summary>
/// Counts by key (a login outcome, a refusal reason) over the last 15 minutes in 10-second
/// buckets, and since start. Keys come from the metrics' closed label sets; past
/// <see cref="MaxKeys"/> distinct keys the rest are counted as <c>other</c>, so memory stays fixed.
/// The clock is a <see cref="TimeProvider"/>: nothing ages by itself, a read compares bucket stamps.
/// </summary>
public sealed class ActivityTally
{
    /// <summary>How finely the windows slide: "the last minute" is the last 50 to 60 seconds.</summary>
    public static readonly TimeSpan BucketWidth = TimeSpan.FromSeconds(10);

    /// <summary>The longest window a read may ask for.</summary>
    public static readonly TimeSpan Horizon = TimeSpan.FromMinutes(15);

    /// <summary>Distinct keys kept apart; more are summed under <c>other</c>.</summary>
    public const int MaxKeys = 32;

    private const string Other = "other";

    private static readonly int BucketCount = (int)(Horizon.Ticks / BucketWidth.Ticks);

    private readonly TimeProvider _timeProvider;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, int> _keys = new(StringComparer.Ordinal);
    private readonly List<string> _names = [];
    private readonly long[,] _counts = new long[BucketCount, MaxKeys];
    private readonly long[] _stamps = new long[BucketCount];
    private readonly long[] _total = new long[MaxKeys];

    public ActivityTally(TimeProvider timeProvider)
    {
        _timeProvider = timeProvider;
        Array.Fill(_stamps, -1);
    }

    public void Add(string key, long amount = 1)
    {
        var bucket = CurrentBucket();
        var slot = (int)(bucket % BucketCount);
        lock (_gate)
        {
            var index = IndexOf(key);
            if (_stamps[slot] != bucket)
            {
                // The slot last held a bucket at least 15 minutes old: start it afresh.
                for (var k = 0; k < MaxKeys; k++)
                {
                    _counts[slot, k] = 0;
                }

                _stamps[slot] = bucket;
            }

            _counts[slot, index] += amount;
            _total[index] += amount;
        }
    }

    /// <summary>Non-zero counts of the buckets within <paramref name="window"/> (rounded up to whole buckets, at most 15 minutes), current one included.</summary>
    public IReadOnlyDictionary<string, long> Within(TimeSpan window)
    {
        var buckets = (int)Math.Clamp((window.Ticks + BucketWidth.Ticks - 1) / BucketWidth.Ticks, 1, BucketCount);
        var oldest = CurrentBucket() - buckets + 1;
        var result = new Dictionary<string, long>(StringComparer.Ordinal);
        lock (_gate)
        {
            for (var slot = 0; slot < BucketCount; slot++)
            {
                if (_stamps[slot] < oldest)
                {
                    continue;
                }

                for (var k = 0; k < _names.Count; k++)
                {
                    if (_counts[slot, k] != 0)
                    {
                        result[_names[k]] = result.GetValueOrDefault(_names[k]) + _counts[slot, k];
                    }
                }
            }
        }

        return result;
    }

    /// <summary>Non-zero counts since the tally was created.</summary>
    public IReadOnlyDictionary<string, long> SinceStart()
    {
        var result = new Dictionary<string, long>(StringComparer.Ordinal);
        lock (_gate)
        {
            for (var k = 0; k < _names.Count; k++)
            {
                if (_total[k] != 0)
                {
                    result[_names[k]] = _total[k];
                }
            }
        }

        return result;
    }

    private long CurrentBucket() => _timeProvider.GetUtcNow().UtcTicks / BucketWidth.Ticks;

    private int IndexOf(string key)
    {
        if (_keys.TryGetValue(key, out var index))
        {
            return index;
        }

        if (_names.Count >= MaxKeys - 1 && key != Other)
        {
            // The last index is kept for "other".
            return IndexOf(Other);
        }

        index = _names.Count;
        _names.Add(key);
        _keys[key] = index;
        return index;
    }
}
