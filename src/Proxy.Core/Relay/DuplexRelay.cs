using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using Proxy.Protocols.Common;

namespace Proxy.Core.Relay;

/// <summary>
/// Step 6: copies bytes both ways until either side ends, then ends the other.
/// Two pumps run at once; the first to finish decides how the relay ended, the
/// other is woken with CancelPendingRead and awaited, so nothing is left running.
/// The idle timeout counts silence in both directions (an IMAP IDLE session that
/// receives updates stays up): each read stamps the time, and one timer re-arms
/// itself for whatever is left, so the hot path costs a timestamp, not a timer reset.
/// A stop can also be asked for at the next response boundary (shutdown, kick): the
/// backend->client pump then ends only where the client has received whole responses,
/// so the session can still say a protocol-correct goodbye.
/// Given the stream under the backend's reader, the backend->client pump reads that stream
/// straight into the client's output buffer once the reader's leftovers are relayed: one copy
/// of every relayed byte less than pipe-to-pipe (docs/performance.md, finding 8).
/// </summary>
internal static class DuplexRelay
{
    /// <summary>
    /// How long the backend may still talk after the client stopped sending. A client
    /// that half-closes after LOGOUT/QUIT (a script at the end of its input) is still
    /// owed the backend's reply; a client that vanished costs at most this long.
    /// </summary>
    internal static readonly TimeSpan ClientEndGrace = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Asked to stop right after an untagged response, how long the relay waits for more from the
    /// backend: the command's tagged completion normally follows at once, and cutting it off would
    /// fail a command whose data the client already has. An IDLE update is followed by silence.
    /// </summary>
    internal static readonly TimeSpan QuietPeriod = TimeSpan.FromMilliseconds(500);

    public static async Task<RelayResult> RunAsync(
        IDuplexPipe client,
        IDuplexPipe backend,
        TimeSpan idleTimeout,
        TimeProvider timeProvider,
        CancellationToken cancellationToken,
        Action<RelayDirection, long>? relayed = null,
        RelayProgress? progress = null,
        CancellationToken stopAtBoundary = default,
        Stream? backendStream = null)
    {
        progress ??= new RelayProgress();
        var activity = new ActivityClock(timeProvider);
        using var idle = new CancellationTokenSource();
        await using var idleTimer = activity.StartIdleTimer(idleTimeout, idle);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(idle.Token, cancellationToken);
        var upstream = new Pump(client.Input, backend.Output, activity, progress, relayed, RelayDirection.ClientToBackend, boundary: null, default, timeProvider);
        var downstream = new Pump(backend.Input, client.Output, activity, progress, relayed, RelayDirection.BackendToClient, progress.Boundary, stopAtBoundary, timeProvider)
        {
            DirectSource = backendStream is null ? null : new DirectStreamSource(backendStream, client.Output),
        };

        // A stop at the boundary wakes the backend->client pump from its read so it can look; when the
        // client is mid-response it reads on. The backend's reader is dropped after the relay, so a
        // cancellation left armed on it harms nothing (unlike one on the client's pipes).
        // Reading the backend's stream directly, the pump wakes through its read's token instead.
        using var wake = progress.Boundary is not null && stopAtBoundary.CanBeCanceled && backendStream is null
            ? stopAtBoundary.UnsafeRegister(static reader => ((PipeReader)reader!).CancelPendingRead(), backend.Input)
            : default;

        // Each pump has its own token, so one can be stopped without CancelPendingRead/Flush,
        // which stay armed on the pipe when nothing is pending and would cancel the session's
        // next write to the client (its goodbye).
        using var stopUpstream = CancellationTokenSource.CreateLinkedTokenSource(linked.Token);
        using var stopDownstream = CancellationTokenSource.CreateLinkedTokenSource(linked.Token);
        var upstreamTask = upstream.RunAsync(stopUpstream.Token);
        var downstreamTask = downstream.RunAsync(stopDownstream.Token);
        var first = await Task.WhenAny(upstreamTask, downstreamTask).ConfigureAwait(false);
        if (first == upstreamTask && await upstreamTask.ConfigureAwait(false) == PumpOutcome.SourceEnded)
        {
            try
            {
                await downstreamTask.WaitAsync(ClientEndGrace, timeProvider, CancellationToken.None).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // The backend had nothing more to say; stop waiting for it.
            }
        }

        // Stop the other pump: its reader may be parked on an idle connection,
        // or its writer waiting on a peer that stopped reading.
        await (first == upstreamTask ? stopDownstream : stopUpstream).CancelAsync().ConfigureAwait(false);
        var firstOutcome = await first.ConfigureAwait(false);
        await (first == upstreamTask ? downstreamTask : upstreamTask).ConfigureAwait(false);

        var end = firstOutcome switch
        {
            _ when cancellationToken.IsCancellationRequested => RelayEnd.Cancelled,
            _ when idle.IsCancellationRequested => RelayEnd.IdleTimeout,
            PumpOutcome.StoppedAtBoundary => RelayEnd.Cancelled,
            PumpOutcome.SourceFaulted => first == upstreamTask ? RelayEnd.Faulted : RelayEnd.BackendFaulted,
            PumpOutcome.DestinationFaulted => first == upstreamTask ? RelayEnd.BackendFaulted : RelayEnd.Faulted,
            PumpOutcome.DestinationEnded when first == downstreamTask => RelayEnd.ClientClosed,
            _ => first == upstreamTask ? RelayEnd.ClientClosed : RelayEnd.BackendClosed,
        };
        return new RelayResult(end, progress.ClientToBackendBytes, progress.BackendToClientBytes);
    }

    private enum PumpOutcome
    {
        SourceEnded,
        DestinationEnded,
        Stopped,
        StoppedAtBoundary,
        SourceFaulted,
        DestinationFaulted,
    }

    /// <summary>When bytes last crossed, in either direction.</summary>
    private sealed class ActivityClock(TimeProvider timeProvider)
    {
        private long _last = timeProvider.GetTimestamp();

        public void Touch() => Volatile.Write(ref _last, timeProvider.GetTimestamp());

        /// <summary>Cancels <paramref name="idle"/> once nothing has crossed for <paramref name="timeout"/>.</summary>
        public ITimer StartIdleTimer(TimeSpan timeout, CancellationTokenSource idle)
        {
            ITimer? timer = null;
            timer = timeProvider.CreateTimer(_ =>
            {
                var silent = timeProvider.GetElapsedTime(Volatile.Read(ref _last));
                if (silent >= timeout)
                {
                    try
                    {
                        idle.Cancel();
                    }
                    catch (ObjectDisposedException)
                    {
                        // The relay ended while the timer fired.
                    }
                }
                else
                {
                    timer!.Change(timeout - silent, Timeout.InfiniteTimeSpan);
                }
            }, null, timeout, Timeout.InfiniteTimeSpan);
            return timer;
        }
    }

    /// <summary>What one read moved into the destination (not yet flushed).</summary>
    private readonly record struct Chunk(long Length, bool IsCompleted, bool IsCanceled);

    /// <param name="relayed">Told of every chunk as it crosses, so byte counters move during a long session, not only at its end.</param>
    private sealed class Pump(
        PipeReader source,
        PipeWriter destination,
        ActivityClock activity,
        RelayProgress progress,
        Action<RelayDirection, long>? relayed,
        RelayDirection direction,
        IResponseBoundary? boundary,
        CancellationToken stopAtBoundary,
        TimeProvider timeProvider)
    {
        /// <summary>Set for the backend->client pump when the backend's stream can be read directly.</summary>
        public DirectStreamSource? DirectSource { get; init; }

        public async Task<PumpOutcome> RunAsync(CancellationToken cancellationToken)
        {
            var reading = true;
            var waitForQuiet = false;

            // A stop at the boundary wakes a pipe read with CancelPendingRead (RunAsync registers it), which
            // cannot reach a read of the stream itself: that read gets a token that the stop cancels, one
            // linked source per session, used until the stop has come.
            using var wakeable = DirectSource is not null && boundary is not null && stopAtBoundary.CanBeCanceled
                ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, stopAtBoundary)
                : null;
            try
            {
                // What the reader already holds (bytes that followed the login response) goes first.
                if (DirectSource is not null && source.TryRead(out var leftover))
                {
                    var first = CopyFromPipe(leftover);
                    if (await FlushAsync(first, cancellationToken).ConfigureAwait(false) is { } ended)
                    {
                        return ended;
                    }
                }

                while (true)
                {
                    reading = true;
                    Chunk chunk;
                    if (waitForQuiet)
                    {
                        using var quiet = new CancellationTokenSource(QuietPeriod, timeProvider);
                        using var either = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, quiet.Token);
                        try
                        {
                            chunk = await ReadAsync(either.Token).ConfigureAwait(false);
                        }
                        catch (OperationCanceledException) when (quiet.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
                        {
                            // Nothing more came: the untagged response was all there was.
                            return PumpOutcome.StoppedAtBoundary;
                        }
                    }
                    else if (wakeable is not null && !stopAtBoundary.IsCancellationRequested)
                    {
                        try
                        {
                            chunk = await ReadAsync(wakeable.Token).ConfigureAwait(false);
                        }
                        catch (OperationCanceledException) when (stopAtBoundary.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
                        {
                            chunk = new Chunk(0, IsCompleted: false, IsCanceled: true);
                        }
                    }
                    else
                    {
                        chunk = await ReadAsync(cancellationToken).ConfigureAwait(false);
                    }

                    reading = false;
                    if (await FlushAsync(chunk, cancellationToken).ConfigureAwait(false) is { } outcome)
                    {
                        return outcome;
                    }

                    if (stopAtBoundary.IsCancellationRequested)
                    {
                        if (boundary is { AtCommandBoundary: true })
                        {
                            return PumpOutcome.StoppedAtBoundary;
                        }

                        // Mid-response: read on until the response is whole (or the caller's deadline cancels).
                        // After an untagged response: read on while the backend still has something to say.
                        waitForQuiet = boundary is { AtBoundary: true };
                        continue;
                    }

                    if (chunk.IsCanceled)
                    {
                        return PumpOutcome.Stopped;
                    }
                }
            }
            catch (OperationCanceledException)
            {
                return PumpOutcome.Stopped;
            }
            catch (Exception ex) when (ex is IOException or ObjectDisposedException or System.Net.Sockets.SocketException or InvalidOperationException)
            {
                return reading ? PumpOutcome.SourceFaulted : PumpOutcome.DestinationFaulted;
            }
        }

        /// <summary>Reads once and writes what came into the destination, observing it on the way.</summary>
        /// <remarks>Pooled builders: these suspend on every chunk, and a new state-machine box per chunk is garbage per chunk.</remarks>
        [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
        private async ValueTask<Chunk> ReadAsync(CancellationToken cancellationToken)
        {
            if (DirectSource is { } direct)
            {
                var memory = await direct.ReadAsync(cancellationToken).ConfigureAwait(false);
                if (memory.IsEmpty)
                {
                    return new Chunk(0, IsCompleted: true, IsCanceled: false);
                }

                boundary?.Observe(memory.Span);
                destination.Advance(memory.Length);
                return new Chunk(memory.Length, IsCompleted: false, IsCanceled: false);
            }

            return CopyFromPipe(await source.ReadAsync(cancellationToken).ConfigureAwait(false));
        }

        private Chunk CopyFromPipe(ReadResult result)
        {
            var buffer = result.Buffer;
            foreach (var segment in buffer)
            {
                destination.Write(segment.Span);
                boundary?.Observe(segment.Span);
            }

            source.AdvanceTo(buffer.End);
            return new Chunk(buffer.Length, result.IsCompleted, result.IsCanceled);
        }

        /// <summary>Counts and flushes what the read wrote; an outcome when the pump is done.</summary>
        [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
        private async ValueTask<PumpOutcome?> FlushAsync(Chunk chunk, CancellationToken cancellationToken)
        {
            if (chunk.Length > 0)
            {
                activity.Touch();
                progress.Add(direction, chunk.Length);
                relayed?.Invoke(direction, chunk.Length);
                var flush = await destination.FlushAsync(cancellationToken).ConfigureAwait(false);
                if (flush.IsCompleted || flush.IsCanceled)
                {
                    return PumpOutcome.DestinationEnded;
                }
            }

            return chunk.IsCompleted ? PumpOutcome.SourceEnded : null;
        }
    }
}
