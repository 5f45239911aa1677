using System.Buffers;
using System.IO.Pipelines;

namespace Proxy.Core.Relay;

/// <summary>
/// Step 6: copies bytes both ways until either side ends, then ends the other.
/// Two pumps run at once; the first to finish decides how the relay ended, the
/// other is woken with CancelPendingRead and awaited, so nothing is left running.
/// The idle timeout is one CancellationTokenSource pushed forward by every read
/// in either direction (an IMAP IDLE session that receives updates stays up).
/// </summary>
internal static class DuplexRelay
{
    public static async Task<RelayResult> RunAsync(
        IDuplexPipe client,
        IDuplexPipe backend,
        TimeSpan idleTimeout,
        TimeProvider timeProvider,
        CancellationToken cancellationToken)
    {
        using var idle = new CancellationTokenSource(idleTimeout, timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(idle.Token, cancellationToken);
        var upstream = new Pump(client.Input, backend.Output, idle, idleTimeout);
        var downstream = new Pump(backend.Input, client.Output, idle, idleTimeout);

        var upstreamTask = upstream.RunAsync(linked.Token);
        var downstreamTask = downstream.RunAsync(linked.Token);
        var first = await Task.WhenAny(upstreamTask, downstreamTask).ConfigureAwait(false);

        // Wake the other pump: its reader may be parked on an idle connection,
        // or its writer waiting on a peer that stopped reading.
        if (first == upstreamTask)
        {
            backend.Input.CancelPendingRead();
            client.Output.CancelPendingFlush();
        }
        else
        {
            client.Input.CancelPendingRead();
            backend.Output.CancelPendingFlush();
        }

        var firstOutcome = await first.ConfigureAwait(false);
        await (first == upstreamTask ? downstreamTask : upstreamTask).ConfigureAwait(false);

        var end = firstOutcome switch
        {
            _ when cancellationToken.IsCancellationRequested => RelayEnd.Cancelled,
            _ when idle.IsCancellationRequested => RelayEnd.IdleTimeout,
            PumpOutcome.Faulted => RelayEnd.Faulted,
            _ => first == upstreamTask ? RelayEnd.ClientClosed : RelayEnd.BackendClosed,
        };
        return new RelayResult(end, upstream.Bytes, downstream.Bytes);
    }

    private enum PumpOutcome
    {
        SourceEnded,
        DestinationEnded,
        Stopped,
        Faulted,
    }

    private sealed class Pump(PipeReader source, PipeWriter destination, CancellationTokenSource idle, TimeSpan idleTimeout)
    {
        public long Bytes { get; private set; }

        public async Task<PumpOutcome> RunAsync(CancellationToken cancellationToken)
        {
            try
            {
                while (true)
                {
                    var result = await source.ReadAsync(cancellationToken).ConfigureAwait(false);
                    if (result.IsCanceled)
                    {
                        return PumpOutcome.Stopped;
                    }

                    var buffer = result.Buffer;
                    if (!buffer.IsEmpty)
                    {
                        idle.CancelAfter(idleTimeout);
                        Bytes += buffer.Length;
                        foreach (var segment in buffer)
                        {
                            destination.Write(segment.Span);
                        }

                        source.AdvanceTo(buffer.End);
                        var flush = await destination.FlushAsync(cancellationToken).ConfigureAwait(false);
                        if (flush.IsCompleted || flush.IsCanceled)
                        {
                            return PumpOutcome.DestinationEnded;
                        }
                    }
                    else
                    {
                        source.AdvanceTo(buffer.End);
                    }

                    if (result.IsCompleted)
                    {
                        return PumpOutcome.SourceEnded;
                    }
                }
            }
            catch (OperationCanceledException)
            {
                return PumpOutcome.Stopped;
            }
            catch (Exception ex) when (ex is IOException or ObjectDisposedException or System.Net.Sockets.SocketException or InvalidOperationException)
            {
                return PumpOutcome.Faulted;
            }
        }
    }
}
