using Microsoft.Extensions.Logging;
using Proxy.Core.Directory;
using Proxy.Core.Tests.Discovery;
using Proxy.Core.Tests.TestDoubles;

namespace Proxy.Core.Tests.Directory;

public sealed class PasswordVerificationGateTests : IDisposable
{
    private static readonly TimeSpan QueueTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    private readonly ManualTimeProvider _time = new();
    private readonly RecordingLogger<PasswordVerificationGate> _logger = new();
    private readonly ManualResetEventSlim _release = new();
    private readonly DirectoryFixture _directory = new();
    private int _running;
    private int _highest;

    public void Dispose()
    {
        _release.Set();
        _release.Dispose();
        _directory.Dispose();
    }

    [Fact]
    public async Task VerifyAsync_AllSlotsBusy_WaitsThenRunsWhenOneFrees()
    {
        using var gate = Gate(2);
        var busy = new[] { StartBlocked(gate), StartBlocked(gate) };
        await WaitUntilAsync(() => gate.InUse == 2);

        var third = gate.VerifyAsync(() => Blocking(), CancellationToken.None).AsTask();
        await Task.Delay(100);
        Assert.False(third.IsCompleted);
        Assert.Equal(2, Volatile.Read(ref _running));

        _release.Set();

        Assert.All(await Task.WhenAll(busy).WaitAsync(Bound), Assert.True);
        Assert.True(await third.WaitAsync(Bound));
        Assert.Equal(2, _highest);
        Assert.Equal(0, gate.InUse);
    }

    [Fact]
    public async Task VerifyAsync_NoSlotWithinQueueTimeout_NullAndWarning()
    {
        using var gate = Gate(1);
        var busy = StartBlocked(gate);
        await WaitUntilAsync(() => gate.InUse == 1);

        var waiting = gate.VerifyAsync(() => true, CancellationToken.None).AsTask();
        await _time.WaitForTimerAsync(1);
        _time.Advance(QueueTimeout);

        Assert.Null(await waiting.WaitAsync(Bound));
        var entry = Assert.Single(_logger.Entries);
        Assert.Equal((3223, LogLevel.Warning), (entry.EventId.Id, entry.Level));

        _release.Set();
        Assert.True(await busy.WaitAsync(Bound));
        Assert.True(await gate.VerifyAsync(() => true, CancellationToken.None));
    }

    [Fact]
    public async Task VerifyAsync_CheckThrows_SlotReleased()
    {
        using var gate = Gate(1);

        await Assert.ThrowsAsync<InvalidOperationException>(async () => await gate.VerifyAsync(() => throw new InvalidOperationException(), CancellationToken.None));

        Assert.Equal(0, gate.InUse);
    }

    [Fact]
    public async Task VerifyAsync_CallerCancelsWhileWaiting_Cancelled()
    {
        using var gate = Gate(1);
        var busy = StartBlocked(gate);
        await WaitUntilAsync(() => gate.InUse == 1);
        using var cancel = new CancellationTokenSource();

        var waiting = gate.VerifyAsync(() => true, cancel.Token).AsTask();
        cancel.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(Bound));
        Assert.Empty(_logger.Entries);
        _release.Set();
        await busy.WaitAsync(Bound);
    }

    [Fact]
    public async Task FileUserDirectory_GateBusyPastTheQueueTimeout_DirectoryUnavailable()
    {
        _directory.WriteUsers(DirectoryFixture.Alice());
        using var gate = Gate(1);
        var directory = new FileUserDirectory(
            _directory.FilePath,
            _time,
            _directory.Logger,
            FileUserDirectory.DefaultSuccessCacheTimeToLive,
            (password, hash) => Blocking() && PasswordHasher.Verify(password, hash),
            gate);
        var first = Task.Run(() => directory.AuthenticateAsync("alice", "alice-pw", CancellationToken.None).AsTask());
        await WaitUntilAsync(() => gate.InUse == 1);

        var second = directory.AuthenticateAsync("alice", "alice-pw", CancellationToken.None).AsTask();
        await _time.WaitForTimerAsync(1);
        _time.Advance(QueueTimeout);

        Assert.Equal(DirectoryOutcome.Unavailable, (await second.WaitAsync(Bound)).Outcome);
        _release.Set();
        Assert.Equal(DirectoryOutcome.Success, (await first.WaitAsync(Bound)).Outcome);
    }

    [Fact]
    public async Task VerifyAsync_CalledOnADedicatedThread_HashesOnAPoolThreadAndLeavesTheCallerFree()
    {
        // A session may ask from a socket event thread (inline completions): the hash must not run
        // there, or every session of that thread would wait for it.
        using var gate = Gate(1);
        bool? hashedOnPool = null;
        using var hashing = new ManualResetEventSlim();
        ValueTask<bool?> pending = default;
        var caller = new Thread(() => pending = gate.VerifyAsync(() =>
        {
            hashedOnPool = Thread.CurrentThread.IsThreadPoolThread;
            hashing.Set();
            return Blocking();
        }, CancellationToken.None));

        caller.Start();

        // The caller returns at once although the hash is still running.
        Assert.True(caller.Join(Bound));
        Assert.True(hashing.Wait(Bound));
        Assert.True(hashedOnPool);
        Assert.False(pending.IsCompleted);
        _release.Set();
        Assert.True(await pending.AsTask().WaitAsync(Bound));
    }

    private PasswordVerificationGate Gate(int slots) => new(slots, () => QueueTimeout, _time, _logger);

    private Task<bool> StartBlocked(PasswordVerificationGate gate) =>
        Task.Run(async () => (await gate.VerifyAsync(() => Blocking(), CancellationToken.None)) == true);

    /// <summary>A password check that holds its slot until the test releases it.</summary>
    private bool Blocking()
    {
        var now = Interlocked.Increment(ref _running);
        lock (_release)
        {
            _highest = Math.Max(_highest, now);
        }

        var released = _release.Wait(Bound);
        Interlocked.Decrement(ref _running);
        return released;
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 500 && !condition(); i++)
        {
            await Task.Delay(10);
        }

        Assert.True(condition(), "the condition never became true");
    }
}
