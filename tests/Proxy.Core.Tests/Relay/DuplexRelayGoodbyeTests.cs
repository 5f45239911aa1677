using System.IO.Pipelines;
using System.Text;
using Proxy.Core.Relay;
using Proxy.Core.Tests.TestDoubles;
using Proxy.Protocols.Imap;

namespace Proxy.Core.Tests.Relay;

/// <summary>
/// The relay's side of a goodbye: a stop asked for at the next response boundary, how a
/// backend that breaks is reported, and whether the client sits where a BYE fits.
/// </summary>
public class DuplexRelayGoodbyeTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(5);

    /// <summary>Whether the relay reads the backend's stream directly, as sessions do.</summary>
    protected virtual bool ReadBackendStream => false;

    [Fact]
    public async Task StopAtBoundary_ClientIdle_EndsAtOnceWhereAGoodbyeFits()
    {
        using var stop = new CancellationTokenSource();
        var relay = Relay.Start(ReadBackendStream, stop.Token);
        await relay.Backend.SendAsync("+ idling\r\n");
        Assert.Equal("+ idling\r\n", await relay.Client.ReceiveAsync(10));

        await stop.CancelAsync();
        var result = await relay.Task.WaitAsync(Bound);

        Assert.Equal(RelayEnd.Cancelled, result.End);
        Assert.True(relay.Progress.CanSayGoodbye);
    }

    [Fact]
    public async Task StopAtBoundary_MidLiteral_WaitsUntilTheResponseIsWhole()
    {
        using var stop = new CancellationTokenSource();
        var relay = Relay.Start(ReadBackendStream, stop.Token);
        await relay.Backend.SendAsync("* 1 FETCH (BODY[] {10}\r\n01234");
        await relay.Client.ReceiveAsync(29);

        stop.Cancel();
        await Task.Delay(100);
        Assert.False(relay.Task.IsCompleted, "the relay stopped in the middle of a literal");

        await relay.Backend.SendAsync("56789)\r\na OK done\r\n");
        var result = await relay.Task.WaitAsync(Bound);

        Assert.Equal(RelayEnd.Cancelled, result.End);
        Assert.Equal("56789)\r\na OK done\r\n", await relay.Client.ReceiveAsync(19));
        Assert.True(relay.Progress.CanSayGoodbye);
    }

    [Fact]
    public async Task StopAtBoundary_AfterUntaggedData_WaitsForTheTaggedCompletion()
    {
        using var stop = new CancellationTokenSource();
        var clock = new ManualTimeProvider();
        var relay = Relay.Start(ReadBackendStream, stop.Token, clock: clock);
        await relay.Backend.SendAsync("* 1 FETCH (BODY[] {3}\r\nabc)\r\n");
        await relay.Client.ReceiveAsync(29);

        stop.Cancel();
        await relay.Backend.SendAsync("a OK Fetch completed.\r\n");

        Assert.Equal(RelayEnd.Cancelled, (await relay.Task.WaitAsync(Bound)).End);
        Assert.Equal("a OK Fetch completed.\r\n", await relay.Client.ReceiveAsync(23));
        Assert.True(relay.Progress.CanSayGoodbye);
    }

    [Fact]
    public async Task StopAtBoundary_AfterAnIdleUpdate_StopsOnceTheBackendIsQuiet()
    {
        using var stop = new CancellationTokenSource();
        var clock = new ManualTimeProvider();
        var relay = Relay.Start(ReadBackendStream, stop.Token, clock: clock);
        await relay.Backend.SendAsync("+ idling\r\n* 4 EXISTS\r\n");
        await relay.Client.ReceiveAsync(22);
        var timers = clock.CreatedTimers;

        stop.Cancel();
        await clock.WaitForTimerAsync(timers + 1);
        Assert.False(relay.Task.IsCompleted);
        clock.Advance(DuplexRelay.QuietPeriod);

        Assert.Equal(RelayEnd.Cancelled, (await relay.Task.WaitAsync(Bound)).End);
        Assert.True(relay.Progress.CanSayGoodbye);
    }

    [Fact]
    public async Task StopAtBoundary_WithoutAScanner_KeepsRelayingUntilCancelled()
    {
        // POP3: no boundary can be known, so a stop at the boundary never comes; only the deadline ends it.
        using var stop = new CancellationTokenSource();
        using var abort = new CancellationTokenSource();
        var relay = Relay.Start(ReadBackendStream, stop.Token, abort.Token, scanner: false);

        await stop.CancelAsync();
        await relay.Backend.SendAsync("+OK 2 messages\r\n");
        Assert.Equal("+OK 2 messages\r\n", await relay.Client.ReceiveAsync(16));
        Assert.False(relay.Task.IsCompleted);

        await abort.CancelAsync();
        Assert.Equal(RelayEnd.Cancelled, (await relay.Task.WaitAsync(Bound)).End);
        Assert.False(relay.Progress.CanSayGoodbye);
    }

    [Fact]
    public async Task Cancelled_MidLine_ClientIsNotWhereAGoodbyeFits()
    {
        using var abort = new CancellationTokenSource();
        var relay = Relay.Start(ReadBackendStream, default, abort.Token);
        await relay.Backend.SendAsync("* 1 FETCH (FLAGS (\\Se");
        await relay.Client.ReceiveAsync(21);

        await abort.CancelAsync();

        Assert.Equal(RelayEnd.Cancelled, (await relay.Task.WaitAsync(Bound)).End);
        Assert.False(relay.Progress.CanSayGoodbye);
    }

    [Fact]
    public async Task BackendResetsMidLiteral_EndsAsBackendFaultedWithTheClientMidResponse()
    {
        var relay = Relay.Start(ReadBackendStream, default);
        await relay.Backend.SendAsync("* 1 FETCH (BODY[] {100}\r\nSubject: partial\r\n");
        await relay.Client.ReceiveAsync(43);

        await relay.Backend.FailAsync(new IOException("Connection reset by peer"));

        Assert.Equal(RelayEnd.BackendFaulted, (await relay.Task.WaitAsync(Bound)).End);
        Assert.False(relay.Progress.CanSayGoodbye);
    }

    [Fact]
    public async Task BackendClosesAfterAWholeResponse_EndsAsBackendClosedWhereAGoodbyeFits()
    {
        var relay = Relay.Start(ReadBackendStream, default);
        await relay.Backend.SendAsync("* 1 FETCH (FLAGS (\\Seen))\r\n");
        await relay.Client.ReceiveAsync(27);

        await relay.Backend.EndAsync();

        Assert.Equal(RelayEnd.BackendClosed, (await relay.Task.WaitAsync(Bound)).End);
        Assert.True(relay.Progress.CanSayGoodbye);
    }

    [Fact]
    public async Task BackendSaysByeThenCloses_NoSecondGoodbye()
    {
        var relay = Relay.Start(ReadBackendStream, default);
        await relay.Backend.SendAsync("* BYE Server shutting down.\r\n");
        await relay.Backend.EndAsync();

        Assert.Equal(RelayEnd.BackendClosed, (await relay.Task.WaitAsync(Bound)).End);
        Assert.False(relay.Progress.CanSayGoodbye);
        Assert.True(relay.Progress.Boundary!.ServerSaidGoodbye);
    }

    [Fact]
    public async Task ClientResets_EndsAsFaultedNotBackendFaulted()
    {
        var relay = Relay.Start(ReadBackendStream, default);

        await relay.Client.FailAsync(new IOException("Connection reset by peer"));

        Assert.Equal(RelayEnd.Faulted, (await relay.Task.WaitAsync(Bound)).End);
    }

    [Fact]
    public async Task Progress_CountsBytesWhileTheRelayRuns()
    {
        var relay = Relay.Start(ReadBackendStream, default);

        await relay.Client.SendAsync("a NOOP\r\n");
        await relay.Backend.ReceiveAsync(8);
        await relay.Backend.SendAsync("a OK\r\n");
        await relay.Client.ReceiveAsync(6);

        Assert.Equal(8, relay.Progress.ClientToBackendBytes);
        Assert.Equal(6, relay.Progress.BackendToClientBytes);
        Assert.False(relay.Task.IsCompleted);
        await relay.Client.EndAsync();
        await relay.Backend.EndAsync();
        await relay.Task.WaitAsync(Bound);
    }

    private sealed record Duplex(PipeReader Input, PipeWriter Output) : IDuplexPipe;

    private sealed record Relay(Task<RelayResult> Task, RelayProgress Progress, Peer Client, Peer Backend)
    {
        public static Relay Start(bool readBackendStream, CancellationToken stopAtBoundary, CancellationToken abort = default, bool scanner = true, TimeProvider? clock = null)
        {
            var fromClient = new Pipe();
            var toClient = new Pipe();
            var fromBackend = new Pipe();
            var toBackend = new Pipe();
            var progress = new RelayProgress(scanner ? new ImapResponseScanner() : null);
            var task = DuplexRelay.RunAsync(
                new Duplex(fromClient.Reader, toClient.Writer),
                new Duplex(fromBackend.Reader, toBackend.Writer),
                TimeSpan.FromMinutes(30),
                clock ?? TimeProvider.System,
                abort,
                progress: progress,
                stopAtBoundary: stopAtBoundary,
                backendStream: readBackendStream ? fromBackend.Reader.AsStream(leaveOpen: true) : null);
            return new Relay(task, progress, new Peer(fromClient.Writer, toClient.Reader), new Peer(fromBackend.Writer, toBackend.Reader));
        }
    }

    /// <summary>One end of the relay as its peer sees it.</summary>
    private sealed class Peer(PipeWriter send, PipeReader receive)
    {
        public async Task SendAsync(string text) => await send.WriteAsync(Encoding.ASCII.GetBytes(text));

        public async Task EndAsync() => await send.CompleteAsync();

        public async Task FailAsync(Exception error) => await send.CompleteAsync(error);

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

/// <summary>The same goodbyes with the backend's stream read directly (what sessions do since finding 8).</summary>
public sealed class DuplexRelayStreamGoodbyeTests : DuplexRelayGoodbyeTests
{
    protected override bool ReadBackendStream => true;
}
