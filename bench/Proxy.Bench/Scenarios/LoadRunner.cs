using System.Diagnostics;
using Proxy.Bench.Measure;

namespace Proxy.Bench.Scenarios;

/// <summary>The outcome of running one operation repeatedly from concurrent workers.</summary>
internal sealed record LoadResult(int Completed, int Failed, TimeSpan Elapsed, LatencyRecorder Latencies, string? FirstError)
{
    public double PerSecond => Elapsed > TimeSpan.Zero ? Completed / Elapsed.TotalSeconds : 0;
}

/// <summary>Runs an operation from N workers until a time or a count is reached, whichever first.</summary>
internal static class LoadRunner
{
    public static async Task<LoadResult> RunAsync(
        int concurrency,
        TimeSpan duration,
        int maxOperations,
        TimeSpan operationTimeout,
        Func<int, CancellationToken, Task> operation,
        CancellationToken cancellationToken)
    {
        var latencies = new LatencyRecorder();
        var started = 0;
        var completed = 0;
        var failed = 0;
        string? firstError = null;
        var clock = Stopwatch.StartNew();

        async Task WorkerAsync(int worker)
        {
            while (clock.Elapsed < duration && Interlocked.Increment(ref started) <= maxOperations)
            {
                cancellationToken.ThrowIfCancellationRequested();
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(operationTimeout);
                var begin = Stopwatch.GetTimestamp();
                try
                {
                    await operation(worker, timeout.Token).ConfigureAwait(false);
                    latencies.Add(Stopwatch.GetElapsedTime(begin));
                    Interlocked.Increment(ref completed);
                }
                catch (Exception e) when (!cancellationToken.IsCancellationRequested)
                {
                    Interlocked.Increment(ref failed);
                    Interlocked.CompareExchange(ref firstError, $"{e.GetType().Name}: {e.Message}", null);
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(w => Task.Run(() => WorkerAsync(w), cancellationToken))).ConfigureAwait(false);
        return new LoadResult(completed, failed, clock.Elapsed, latencies, firstError);
    }
}
