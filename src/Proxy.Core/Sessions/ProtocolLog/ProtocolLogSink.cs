using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Proxy.Core.Configuration;
using Proxy.Core.Diagnostics;

namespace Proxy.Core.Sessions.ProtocolLog;

/// <summary>
/// One protocol's log: a bounded queue that sessions add rows to without waiting, and the loop
/// that drains it to the file in batches. A full queue drops the row (counted, warned about at
/// most once a minute); a disk error drops the batch and is warned about once per failure
/// streak. Neither ever reaches a session.
/// </summary>
internal sealed partial class ProtocolLogSink : IDisposable
{
    /// <summary>Rows waiting for the disk; at about 200 bytes a row, at most a few MB per protocol.</summary>
    public const int Capacity = 16 * 1024;

    private const int BatchSize = 1024;
    private static readonly TimeSpan DropWarningInterval = TimeSpan.FromMinutes(1);

    private readonly Channel<ProtocolLogRow> _channel;
    private readonly MailProtocol _protocol;
    private readonly Func<(ProtocolLogOptions Options, string Directory)> _settings;
    private readonly ProxyMetrics _metrics;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly ProtocolLogFile _file;
    private readonly Lock _dropLock = new();
    private long _droppedSinceWarning;
    private DateTimeOffset? _lastDropWarning;
    private bool _failing;
    private volatile bool _completed;

    /// <param name="settings">The options and the resolved folder as they are now; read before each batch, so a reload applies.</param>
    public ProtocolLogSink(
        MailProtocol protocol,
        Func<(ProtocolLogOptions Options, string Directory)> settings,
        ProxyMetrics metrics,
        TimeProvider timeProvider,
        ILogger logger,
        int capacity = Capacity)
    {
        _protocol = protocol;
        _settings = settings;
        _metrics = metrics;
        _timeProvider = timeProvider;
        _logger = logger;
        _channel = Channel.CreateBounded<ProtocolLogRow>(new BoundedChannelOptions(capacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _file = new ProtocolLogFile(Prefix, LogType, timeProvider) { Opened = OnFileOpened };
    }

    /// <summary>The file name prefix, as Exchange's: <c>IMAP4</c> or <c>POP3</c>.</summary>
    public string Prefix => _protocol == MailProtocol.Imap ? "IMAP4" : "POP3";

    private string LogType => Prefix + " Protocol Log";

    /// <summary>Queues a row; never waits. False (and counted) when the queue is full or closed.</summary>
    public bool TryWrite(in ProtocolLogRow row)
    {
        if (_channel.Writer.TryWrite(row))
        {
            return true;
        }

        // After the writer stopped (host shutdown) a late session's rows are lost: counted, not warned about.
        Dropped(1, _completed ? "stopped" : "queue_full");
        return false;
    }

    /// <summary>Drains the queue until <see cref="Complete"/> is called and everything queued is written.</summary>
    public async Task RunAsync()
    {
        var reader = _channel.Reader;
        var (startOptions, startDirectory) = _settings();
        if (startOptions.ProtocolLogEnabled)
        {
            ApplyRetention(startDirectory, startOptions, current: null);
        }

        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            WriteBatch(reader);
        }

        _file.Close();
    }

    /// <summary>No more rows: the loop writes what is queued and ends.</summary>
    public void Complete()
    {
        _completed = true;
        _channel.Writer.TryComplete();
    }

    public void Dispose() => _file.Dispose();

    private void WriteBatch(ChannelReader<ProtocolLogRow> reader)
    {
        var (options, directory) = _settings();
        var taken = 0;
        try
        {
            while (taken < BatchSize && reader.TryRead(out var row))
            {
                taken++;
                _file.Write(ProtocolLogCsv.Format(row), directory, options);
            }

            // Flushed after every batch: a row reaches the disk within one batch of being queued.
            _file.Flush();
            if (_failing)
            {
                _failing = false;
                Log.WriteRecovered(_logger, ProxyMetrics.ProtocolName(_protocol), _file.CurrentPath);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Security.SecurityException)
        {
            _file.Close();
            Dropped(taken, "write_failed");
            if (!_failing)
            {
                _failing = true;
                Log.WriteFailed(_logger, ProxyMetrics.ProtocolName(_protocol), directory, ex.Message, ex);
            }
        }
    }

    private void OnFileOpened(string directory, string path)
    {
        Log.FileOpened(_logger, ProxyMetrics.ProtocolName(_protocol), path);
        ApplyRetention(directory, _settings().Options, path);
    }

    private void ApplyRetention(string directory, ProtocolLogOptions options, string? current)
    {
        var (deleted, error) = ProtocolLogRetention.Apply(directory, Prefix, options, _timeProvider.GetUtcNow(), current);
        foreach (var name in deleted)
        {
            Log.FileDeleted(_logger, ProxyMetrics.ProtocolName(_protocol), name);
        }

        if (error is not null)
        {
            Log.RetentionFailed(_logger, ProxyMetrics.ProtocolName(_protocol), directory, error.Message);
        }
    }

    private void Dropped(long count, string reason)
    {
        if (count <= 0)
        {
            return;
        }

        _metrics.ProtocolLogDropped(_protocol, reason, count);
        if (reason != "queue_full")
        {
            return;
        }

        // Many sessions may hit a full queue at once: one warning a minute, with the count since the last one.
        lock (_dropLock)
        {
            _droppedSinceWarning += count;
            var now = _timeProvider.GetUtcNow();
            if (_lastDropWarning is { } last && now - last < DropWarningInterval)
            {
                return;
            }

            _lastDropWarning = now;
            Log.RowsDropped(_logger, ProxyMetrics.ProtocolName(_protocol), _droppedSinceWarning);
            _droppedSinceWarning = 0;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(3620, LogLevel.Warning, "Protocol log {Protocol}: the queue was full; {Count} row(s) dropped since the last warning (the disk is slower than the sessions).", EventName = nameof(EventIds.ProtocolLogRowsDropped))]
        public static partial void RowsDropped(ILogger logger, string protocol, long count);

        [LoggerMessage(3621, LogLevel.Warning, "Protocol log {Protocol}: cannot write to {Directory}: {Reason}. Rows are dropped until it works again; sessions are not affected.", EventName = nameof(EventIds.ProtocolLogWriteFailed))]
        public static partial void WriteFailed(ILogger logger, string protocol, string directory, string reason, Exception exception);

        [LoggerMessage(3622, LogLevel.Information, "Protocol log {Protocol}: writing again, to {Path}.", EventName = nameof(EventIds.ProtocolLogWriteRecovered))]
        public static partial void WriteRecovered(ILogger logger, string protocol, string? path);

        [LoggerMessage(3623, LogLevel.Information, "Protocol log {Protocol}: new file {Path}.", EventName = nameof(EventIds.ProtocolLogFileOpened))]
        public static partial void FileOpened(ILogger logger, string protocol, string path);

        [LoggerMessage(3624, LogLevel.Debug, "Protocol log {Protocol}: deleted {File} (MaxAge / MaxDirectorySize).", EventName = nameof(EventIds.ProtocolLogFileDeleted))]
        public static partial void FileDeleted(ILogger logger, string protocol, string file);

        [LoggerMessage(3625, LogLevel.Warning, "Protocol log {Protocol}: an old file in {Directory} could not be deleted: {Reason}.", EventName = nameof(EventIds.ProtocolLogRetentionFailed))]
        public static partial void RetentionFailed(ILogger logger, string protocol, string directory, string reason);
    }
}
