namespace Proxy.Bench.Measure;

/// <summary>Latency statistics over recorded samples (microseconds).</summary>
internal static class Percentiles
{
    /// <summary>
    /// The nearest-rank percentile (the smallest sample with at least p % of the samples at or
    /// below it): p50 of 1..100 is 50, p99 is 99, p100 the maximum. Sorts <paramref name="samples"/> in place.
    /// </summary>
    public static double Of(List<double> samples, double percentile)
    {
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(percentile, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(percentile, 100);
        if (samples.Count == 0)
        {
            return double.NaN;
        }

        samples.Sort();
        var rank = (int)Math.Ceiling(percentile / 100 * samples.Count);
        return samples[Math.Clamp(rank, 1, samples.Count) - 1];
    }
}

/// <summary>Latencies from many concurrent workers; thread-safe appends.</summary>
internal sealed class LatencyRecorder
{
    private readonly List<double> _microseconds = [];
    private readonly Lock _lock = new();

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _microseconds.Count;
            }
        }
    }

    public void Add(TimeSpan elapsed)
    {
        lock (_lock)
        {
            _microseconds.Add(elapsed.TotalMicroseconds);
        }
    }

    public double Percentile(double p)
    {
        lock (_lock)
        {
            return Percentiles.Of(_microseconds, p);
        }
    }
}
