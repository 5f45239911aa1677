using System.IO.Pipelines;
using System.Text;
using Proxy.Core.Relay;
using Proxy.Core.Tests.TestDoubles;

namespace Proxy.Core.Tests.Relay;

public class DuplexRelayTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(5);

    /// <summary>Whether the relay reads the backend's stream directly, as sessions do (<see cref="DuplexRelayStreamTests"/>).</summary>
    protected virtual bool ReadBackendStream => false;

    [Fact]
    public async Task RunAsync_BytesBothWays_ArriveUnchangedAndAreCounted()
    {
        var (client, backend, relay) = Start(TimeSpan.FromMinutes(1));

        await client.SendAsync("a SELECT INBOX\r\n");
        Assert.Equal("a SELECT INBOX\r\n", await backend.ReceiveAsync(16));
        await backend.SendAsync("* 3 EXISTS\r\na OK\r\n");
        Assert.Equal("* 3 EXISTS\r\na OK\r\n", await client.ReceiveAsync(18));

        await client.EndAsync();
        var result = await relay.WaitAsync(Bound);

        Assert.Equal(RelayEnd.ClientClosed, result.End);
        Assert.Equal(16, result.ClientToBackendBytes);
        Assert.Equal(18, result.BackendToClientBytes);
    }

    [Fact]
    public async Task RunAsync_BackendCloses_EndsAsBackendClosedAfterDeliveringItsLastBytes()
    {
        var (client, backend, relay) = Start(TimeSpan.FromMinutes(1));

        await backend.SendAsync("* BYE Logging out\r\n");
        await backend.EndAsync();
        var result = await relay.WaitAsync(Bound);

        Assert.Equal(RelayEnd.BackendClosed, result.End);
        Assert.Equal("* BYE Logging out\r\n", await client.ReceiveAsync(19));
    }

    [Fact]
    public async Task RunAsync_ClientHalfClosesAfterLogout_BackendReplyStillDelivered()
    {
        var (client, backend, relay) = Start(TimeSpan.FromMinutes(1));

        await client.SendAsync("b LOGOUT\r\n");
        await client.EndAsync();
        Assert.Equal("b LOGOUT\r\n", await backend.ReceiveAsync(10));
        await backend.SendAsync("* BYE\r\nb OK\r\n");
        await backend.EndAsync();

        var result = await relay.WaitAsync(Bound);
        // Which end the relay sees first is a race between two pumps woken on the thread pool (under load
        // the backend's end can win); the point is that the reply arrives either way.
        Assert.Contains(result.End, new[] { RelayEnd.ClientClosed, RelayEnd.BackendClosed });
        Assert.Equal("* BYE\r\nb OK\r\n", await client.ReceiveAsync(13));
    }

    [Fact]
    public async Task RunAsync_ClientGoneAndBackendSilent_EndsWithinTheGrace()
    {
        var (client, _, relay) = Start(TimeSpan.FromMinutes(1));

        await client.EndAsync();

        var result = await relay.WaitAsync(DuplexRelay.ClientEndGrace + Bound);
        Assert.Equal(RelayEnd.ClientClosed, result.End);
    }

    [Fact]
    public async Task RunAsync_NothingCrossesForTheIdleTimeout_EndsAsIdleTimeout()
    {
        var clock = new ManualTimeProvider();
        var (_, _, relay) = Start(TimeSpan.FromMinutes(30), clock: clock);
        await clock.WaitForTimerAsync(1);

        clock.Advance(TimeSpan.FromMinutes(29));
        Assert.False(relay.IsCompleted);
        clock.Advance(TimeSpan.FromMinutes(1));

        Assert.Equal(RelayEnd.IdleTimeout, (await relay.WaitAsync(Bound)).End);
    }

    [Fact]
    public async Task RunAsync_BackendUpdatesKeepComing_IdleTimeoutIsPushedForward()
    {
        var clock = new ManualTimeProvider();
        var (client, backend, relay) = Start(TimeSpan.FromMinutes(30), clock: clock);
        await clock.WaitForTimerAsync(1);

        // An IMAP IDLE session: only the backend talks, every 10 minutes, for an hour and a half.
        for (var i = 0; i < 9; i++)
        {
            clock.Advance(TimeSpan.FromMinutes(10));
            await backend.SendAsync("* 1 EXISTS\r\n");
            Assert.Equal("* 1 EXISTS\r\n", await client.ReceiveAsync(12));
            Assert.False(relay.IsCompleted, $"ended after {i + 1} updates");
        }

        clock.Advance(TimeSpan.FromMinutes(30));
        Assert.Equal(RelayEnd.IdleTimeout, (await relay.WaitAsync(Bound)).End);
    }

    [Fact]
    public async Task RunAsync_CallerCancels_EndsAsCancelled()
    {
        using var stop = new CancellationTokenSource();
        var (_, _, relay) = Start(TimeSpan.FromMinutes(1), stop.Token);

        stop.Cancel();

        Assert.Equal(RelayEnd.Cancelled, (await relay.WaitAsync(Bound)).End);
    }

    [Fact]
    public async Task RunAsync_ClientStopsReadingThenBackendCloses_RelayStillEnds()
    {
        // A small pause threshold makes the backend->client pump wait on a client that never reads.
        var toClient = new Pipe(new PipeOptions(pauseWriterThreshold: 64, resumeWriterThreshold: 32));
        var fromClient = new Pipe();
        var toBackend = new Pipe();
        var fromBackend = new Pipe();
        var relay = DuplexRelay.RunAsync(
            new Duplex(fromClient.Reader, toClient.Writer),
            new Duplex(fromBackend.Reader, toBackend.Writer),
            TimeSpan.FromMinutes(1),
            TimeProvider.System,
            CancellationToken.None,
            backendStream: StreamOf(fromBackend.Reader));

        await fromBackend.Writer.WriteAsync(new byte[4096]);
        await fromClient.Writer.CompleteAsync();

        var result = await relay.WaitAsync(DuplexRelay.ClientEndGrace + Bound);
        Assert.Equal(RelayEnd.ClientClosed, result.End);
    }

    [Fact]
    public async Task RunAsync_AfterTheRelayEnds_TheClientWriterStillDelivers()
    {
        // The client's side ends first, so the relay stops the backend->client pump while it sits
        // in a read: its flush cancellation must not swallow what the session writes next (a goodbye).
        var clock = new ManualTimeProvider();
        var fromClient = new Pipe();
        var toClient = new Pipe();
        var silentBackend = new Pipe();
        var relay = DuplexRelay.RunAsync(
            new Duplex(fromClient.Reader, toClient.Writer),
            new Duplex(silentBackend.Reader, new Pipe().Writer),
            TimeSpan.FromMinutes(30),
            clock,
            CancellationToken.None,
            backendStream: StreamOf(silentBackend.Reader));
        await clock.WaitForTimerAsync(1);
        await fromClient.Writer.CompleteAsync();
        await clock.WaitForTimerAsync(2);
        clock.Advance(DuplexRelay.ClientEndGrace);
        await relay.WaitAsync(Bound);

        await toClient.Writer.WriteAsync("* BYE Disconnected for inactivity.\r\n"u8.ToArray());
        var flush = await toClient.Writer.FlushAsync();

        Assert.False(flush.IsCanceled);
        Assert.Equal("* BYE Disconnected for inactivity.\r\n", await new Peer(new Pipe().Writer, toClient.Reader).ReceiveAsync(36));
    }

    private Stream? StreamOf(PipeReader backend) => ReadBackendStream ? backend.AsStream(leaveOpen: true) : null;

    private (Peer Client, Peer Backend, Task<RelayResult> Relay) Start(TimeSpan idle, CancellationToken cancellationToken = default, TimeProvider? clock = null)
    {
        var fromClient = new Pipe();
        var toClient = new Pipe();
        var fromBackend = new Pipe();
        var toBackend = new Pipe();
        var relay = DuplexRelay.RunAsync(
            new Duplex(fromClient.Reader, toClient.Writer),
            new Duplex(fromBackend.Reader, toBackend.Writer),
            idle,
            clock ?? TimeProvider.System,
            cancellationToken,
            backendStream: StreamOf(fromBackend.Reader));
        return (new Peer(fromClient.Writer, toClient.Reader), new Peer(fromBackend.Writer, toBackend.Reader), relay);
    }

    private sealed record Duplex(PipeReader Input, PipeWriter Output) : IDuplexPipe;

    /// <summary>One end of the relay as its peer sees it.</summary>
    private sealed class Peer(PipeWriter send, PipeReader receive)
    {
        public async Task SendAsync(string text) => await send.WriteAsync(Encoding.ASCII.GetBytes(text));

        public async Task EndAsync() => await send.CompleteAsync();

        public async Task<string> ReceiveAsync(int length)
        {
            using var deadline = new CancellationTokenSource(Bound);
            while (true)
            {
                var result = await receive.ReadAsync(deadline.Token);
                if (result.Buffer.Length >= length || result.IsCompleted)
                {
                    var text = Encoding.ASCII.GetString(result.Buffer.Slice(0, Math.Min(length, result.Buffer.Length)));
                    receive.AdvanceTo(result.Buffer.GetPosition(Math.Min(length, result.Buffer.Length)));
                    return text;
                }

                receive.AdvanceTo(result.Buffer.Start, result.Buffer.End);
            }
        }
    }
}

/// <summary>The same behaviour with the backend's stream read directly (what sessions do since finding 8).</summary>
public sealed class DuplexRelayStreamTests : DuplexRelayTests
{
    protected override bool ReadBackendStream => true;
}
