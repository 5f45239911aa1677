using System.Net;
using Microsoft.Extensions.Logging;
using Proxy.Core.Configuration;
using Proxy.Core.Diagnostics;
using Proxy.Core.Listening;
using Proxy.Core.Sessions.ProtocolLog;
using Proxy.Core.Tests.TestDoubles;

namespace Proxy.Core.Tests.Sessions.ProtocolLog;

public sealed class ProtocolLogSinkTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task TryWrite_QueueFull_RowsDroppedCountedAndWarnedAtMostOnceAMinute()
    {
        var time = new ManualTimeProvider();
        using var log = new ProtocolLogTestSink(MailProtocol.Pop3, time, capacity: 2);

        var accepted = Enumerable.Range(1, 5).Select(i => log.Sink.TryWrite(Row(i))).ToList();
        time.Advance(TimeSpan.FromMinutes(1));
        Assert.False(log.Sink.TryWrite(Row(6)));

        Assert.Equal([true, true, false, false, false], accepted);
        Assert.Equal(4, log.Metrics.Sum("proxy.protocol_log.dropped", ("protocol", "pop3"), ("reason", "queue_full")));
        var warnings = log.Logs.Entries.Where(e => e.EventId == EventIds.ProtocolLogRowsDropped).ToList();
        Assert.Equal(2, warnings.Count);
        Assert.All(warnings, w => Assert.Equal(LogLevel.Warning, w.Level));
        Assert.Contains("1 row(s)", warnings[0].Message);
        Assert.Contains("3 row(s)", warnings[1].Message);

        // What was queued still reaches the disk; a row after the writer stopped is counted apart, without a warning.
        await log.FinishAsync();
        Assert.Equal(["1", "2"], log.Rows().Select(r => r[2]));
        Assert.False(log.Sink.TryWrite(Row(7)));
        Assert.Equal(1, log.Metrics.Sum("proxy.protocol_log.dropped", ("reason", "stopped")));
        Assert.Equal(2, log.Logs.Entries.Count(e => e.EventId == EventIds.ProtocolLogRowsDropped));
    }

    [Fact]
    public async Task RunAsync_RowQueued_OnDiskWhileTheWriterKeepsRunning()
    {
        using var log = new ProtocolLogTestSink();
        var loop = log.Sink.RunAsync();

        log.Sink.TryWrite(Row(1));
        await WaitUntilAsync(() => log.AllText().Contains("s1,1,"));

        Assert.False(loop.IsCompleted);
        log.Sink.Complete();
        await loop.WaitAsync(Bound);
    }

    [Fact]
    public async Task RunAsync_DiskFails_BatchesDroppedOneWarningPerStreakThenRecovers()
    {
        using var log = new ProtocolLogTestSink();
        var blocker = Path.GetTempFileName();
        try
        {
            log.Directory = blocker; // a file where the folder should be: every open fails
            var loop = log.Sink.RunAsync();

            log.Sink.TryWrite(Row(1));
            await WaitUntilAsync(() => Dropped(log) == 1);
            log.Sink.TryWrite(Row(2));
            await WaitUntilAsync(() => Dropped(log) == 2);

            log.Directory = Path.Combine(Path.GetTempPath(), "plog-" + Guid.NewGuid().ToString("N"));
            log.Sink.TryWrite(Row(3));
            log.Sink.Complete();
            await loop.WaitAsync(Bound);

            Assert.Single(log.Logs.Entries, e => e.EventId == EventIds.ProtocolLogWriteFailed && e.Level == LogLevel.Warning);
            Assert.Single(log.Logs.Entries, e => e.EventId == EventIds.ProtocolLogWriteRecovered);
            Assert.Equal(["3"], log.Rows().Select(r => r[2]));
        }
        finally
        {
            File.Delete(blocker);
        }
    }

    [Fact]
    public async Task ProtocolLogs_Off_NoRecorderAndNoFolder()
    {
        var root = System.IO.Directory.CreateTempSubdirectory("plog-off-").FullName;
        try
        {
            using var metrics = new TestMetrics();
            var options = new ProxyOptions();
            using var logs = new ProtocolLogs(new StaticOptionsMonitor(options), metrics.Metrics, new ManualTimeProvider(), Microsoft.Extensions.Logging.Abstractions.NullLogger<ProtocolLogs>.Instance, new TestEnvironment(root));
            await logs.StartAsync(CancellationToken.None);
            var client = new ClientConnection("c1", new System.IO.Pipelines.Pipe() is var p ? new Duplex(p) : null!, false, new IPEndPoint(IPAddress.Loopback, 1), null, null);

            Assert.Null(logs.Open(MailProtocol.Imap, client));
            Assert.Null(logs.Open(MailProtocol.Pop3, client));
            Assert.Null(client.ProtocolLog);
            await logs.StopAsync(CancellationToken.None);

            Assert.Empty(System.IO.Directory.EnumerateFileSystemEntries(root));
        }
        finally
        {
            System.IO.Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void Validator_BadValues_MessagesNameTheKey()
    {
        var options = new ProxyOptions { TopologyFile = "t.json", DirectoryFile = "d.json" };
        options.Imap.ProtocolLog.LogPerFileSizeQuota = 100;
        options.Pop3.ProtocolLog.MaxAge = TimeSpan.Zero;
        options.Pop3.ProtocolLog.MaxDirectorySize = 1000;
        options.Imap.ProtocolLog.LogFileRollOverSettings = (LogFileRollOver)9;

        var result = new ProxyOptionsValidator().Validate(null, options);

        Assert.Contains(result.Failures!, f => f.StartsWith("Proxy:Imap:ProtocolLog:LogPerFileSizeQuota: 100", StringComparison.Ordinal));
        Assert.Contains(result.Failures!, f => f.StartsWith("Proxy:Imap:ProtocolLog:LogFileRollOverSettings: 9", StringComparison.Ordinal));
        Assert.Contains(result.Failures!, f => f.StartsWith("Proxy:Pop3:ProtocolLog:MaxAge:", StringComparison.Ordinal));
        Assert.Contains(result.Failures!, f => f.StartsWith("Proxy:Pop3:ProtocolLog:MaxDirectorySize: 1000", StringComparison.Ordinal));
        Assert.DoesNotContain(new ProxyOptionsValidator().Validate(null, new ProxyOptions { TopologyFile = "t.json", DirectoryFile = "d.json" }).Failures ?? [], f => f.Contains("ProtocolLog", StringComparison.Ordinal));
    }

    private static long Dropped(ProtocolLogTestSink log) => log.Metrics.Sum("proxy.protocol_log.dropped", ("reason", "write_failed"));

    private static ProtocolLogRow Row(int seq) =>
        new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero), "s1", seq, "127.0.0.1:143", "127.0.0.1:5000", null, 0, 0, 0, "NOOP", "a", "R=OK");

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var limit = new CancellationTokenSource(Bound);
        while (!condition())
        {
            await Task.Delay(10, limit.Token);
        }
    }

    private sealed class Duplex(System.IO.Pipelines.Pipe pipe) : System.IO.Pipelines.IDuplexPipe
    {
        public System.IO.Pipelines.PipeReader Input => pipe.Reader;

        public System.IO.Pipelines.PipeWriter Output => pipe.Writer;
    }

    private sealed class StaticOptionsMonitor(ProxyOptions value) : Microsoft.Extensions.Options.IOptionsMonitor<ProxyOptions>
    {
        public ProxyOptions CurrentValue => value;

        public ProxyOptions Get(string? name) => value;

        public IDisposable? OnChange(Action<ProxyOptions, string?> listener) => null;
    }

    private sealed class TestEnvironment(string root) : Microsoft.Extensions.Hosting.IHostEnvironment
    {
        public string EnvironmentName { get; set; } = "Test";

        public string ApplicationName { get; set; } = "Test";

        public string ContentRootPath { get; set; } = root;

        public Microsoft.Extensions.FileProviders.IFileProvider ContentRootFileProvider { get; set; } = new Microsoft.Extensions.FileProviders.NullFileProvider();
    }
}
