using Microsoft.Extensions.Logging;
using Proxy.Core.Diagnostics;

namespace Proxy.Core.Listening;

/// <summary>
/// Keeps the front-end certificates in step with their files, without a restart: a file
/// watcher on each folder (debounced, as renewals write several files: certificate, key,
/// chain) and a periodic check of the files' stamps, because watchers miss changes on some
/// mounts (NFS, SMB, some container volumes). Replacing a file by renaming another over it
/// (certbot, cert-manager) is seen by both. New handshakes get a reloaded certificate;
/// sessions already running keep theirs.
/// </summary>
internal sealed partial class CertificateReloader : IDisposable
{
    /// <summary>Quiet time after the last file event before the files are read.</summary>
    internal static readonly TimeSpan DebounceDelay = TimeSpan.FromSeconds(2);

    /// <summary>How often a certificate that did not change is looked at again for its expiry.</summary>
    internal static readonly TimeSpan ExpiryRecheckInterval = TimeSpan.FromDays(1);

    /// <summary>Host name probed to check that a certificate covers a wildcard entry.</summary>
    private const string WildcardProbeLabel = "sni-wildcard-check";

    private readonly IReadOnlyList<CertificateSource> _sources;
    private readonly TimeProvider _time;
    private readonly TimeSpan _checkInterval;
    private readonly int _expiryWarningDays;
    private readonly ILogger _logger;
    private readonly Lock _timerLock = new();
    private readonly Lock _checkLock = new();
    private readonly List<FileSystemWatcher> _watchers = [];
    private readonly ITimer _periodic;
    private readonly ITimer _debounce;
    private volatile bool _disposed;
    private DateTimeOffset _nextExpiryCheck;

    public CertificateReloader(IReadOnlyList<CertificateSource> sources, TimeProvider time, TimeSpan checkInterval, int expiryWarningDays, ILogger logger)
    {
        _sources = sources;
        _time = time;
        _checkInterval = checkInterval;
        _expiryWarningDays = expiryWarningDays;
        _logger = logger;
        // One-shot timers re-armed after each check: a slow check never overlaps the next one.
        _periodic = time.CreateTimer(_ => OnPeriodicCheck(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _debounce = time.CreateTimer(_ => CheckNow(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Reports the certificates loaded at start and begins checking their files.</summary>
    /// <param name="watchFiles">False leaves only the periodic check (tests that drive <see cref="OnFileEvent"/> themselves).</param>
    public void Start(bool watchFiles = true)
    {
        foreach (var source in _sources)
        {
            var current = source.Current;
            Log.Loaded(_logger, source.Key, source.CertificateFile, current.Subject, current.Thumbprint, current.NotAfter);
            Inspect(source);
        }

        _nextExpiryCheck = _time.GetUtcNow() + ExpiryRecheckInterval;

        if (watchFiles)
        {
            Watch();
        }

        lock (_timerLock)
        {
            if (!_disposed)
            {
                _periodic.Change(_checkInterval, Timeout.InfiniteTimeSpan);
            }
        }
    }

    /// <summary>A file in a watched folder changed: check once things have been quiet for <see cref="DebounceDelay"/>.</summary>
    internal void OnFileEvent()
    {
        lock (_timerLock)
        {
            if (!_disposed)
            {
                _debounce.Change(DebounceDelay, Timeout.InfiniteTimeSpan);
            }
        }
    }

    /// <summary>Reloads every certificate whose files changed since the last look.</summary>
    internal void CheckNow()
    {
        lock (_checkLock)
        {
            if (_disposed)
            {
                return;
            }

            foreach (var source in _sources)
            {
                var result = source.ReloadIfChanged();
                if (result.Error is { } error)
                {
                    Log.ReloadFailed(_logger, error.Key, error.File, error.Reason, source.Current.Thumbprint);
                }
                else if (result.Changed)
                {
                    var current = source.Current;
                    Log.Reloaded(_logger, source.Key, source.CertificateFile, current.Subject, current.Thumbprint, current.NotAfter);
                    Inspect(source);
                }
            }
        }
    }

    public void Dispose()
    {
        lock (_timerLock)
        {
            _disposed = true;
            _periodic.Dispose();
            _debounce.Dispose();
        }

        foreach (var watcher in _watchers)
        {
            watcher.Dispose();
        }
    }

    private void OnPeriodicCheck()
    {
        CheckNow();

        // A proxy that runs for weeks on one certificate hears about its end once a day, not only at start.
        var now = _time.GetUtcNow();
        if (now >= _nextExpiryCheck)
        {
            _nextExpiryCheck = now + ExpiryRecheckInterval;
            foreach (var source in _sources)
            {
                WarnIfExpiring(source);
            }
        }

        lock (_timerLock)
        {
            if (!_disposed)
            {
                _periodic.Change(_checkInterval, Timeout.InfiniteTimeSpan);
            }
        }
    }

    /// <summary>What an operator should hear about a certificate just loaded: near expiry, names it does not cover.</summary>
    private void Inspect(CertificateSource source)
    {
        WarnIfExpiring(source);
        var current = source.Current;
        foreach (var hostName in source.HostNames)
        {
            var probe = hostName.Trim().TrimEnd('.');
            if (probe.StartsWith("*.", StringComparison.Ordinal))
            {
                probe = WildcardProbeLabel + probe[1..];
            }

            if (!current.Certificate.MatchesHostname(probe))
            {
                Log.HostNameNotCovered(_logger, source.Key, source.CertificateFile, hostName);
            }
        }
    }

    private void WarnIfExpiring(CertificateSource source)
    {
        var current = source.Current;
        var left = current.NotAfter - _time.GetUtcNow();
        if (_expiryWarningDays > 0 && left <= TimeSpan.FromDays(_expiryWarningDays))
        {
            var expiry = left <= TimeSpan.Zero ? "has expired" : $"expires in {Math.Ceiling(left.TotalDays):0} day(s)";
            Log.ExpiresSoon(_logger, source.Key, source.CertificateFile, current.Thumbprint, expiry, current.NotAfter);
        }
    }

    private void Watch()
    {
        var folders = _sources
            .SelectMany(s => new[] { s.CertificateFile, s.KeyFile })
            .OfType<string>()
            .Select(f => Path.GetDirectoryName(Path.GetFullPath(f)))
            .OfType<string>()
            .Distinct(StringComparer.Ordinal);
        foreach (var folder in folders)
        {
            FileSystemWatcher? watcher = null;
            try
            {
                // The whole folder, not the file names: an atomic replace arrives as a rename of a temporary
                // file, a Kubernetes secret update as a swapped symbolic link. The stamps tell what really changed.
                watcher = new FileSystemWatcher(folder)
                {
                    NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.CreationTime,
                };
                watcher.Changed += (_, _) => OnFileEvent();
                watcher.Created += (_, _) => OnFileEvent();
                watcher.Deleted += (_, _) => OnFileEvent();
                watcher.Renamed += (_, _) => OnFileEvent();
                watcher.Error += (_, e) =>
                {
                    // A lost event (buffer overflow): look anyway.
                    Log.WatchFailed(_logger, folder, e.GetException().Message);
                    OnFileEvent();
                };
                watcher.EnableRaisingEvents = true;
                _watchers.Add(watcher);
            }
            catch (Exception ex) when (ex is IOException or ArgumentException or UnauthorizedAccessException or PlatformNotSupportedException)
            {
                // E.g. the inotify instance limit: the periodic check still sees every change, only later.
                watcher?.Dispose();
                Log.WatchFailed(_logger, folder, ex.Message);
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 3010, EventName = nameof(EventIds.TlsCertificateLoaded), Level = LogLevel.Information,
            Message = "TLS certificate of {Key} loaded from {File}: {Subject}, thumbprint {Thumbprint}, expires {NotAfter:u}")]
        public static partial void Loaded(ILogger logger, string key, string file, string subject, string thumbprint, DateTimeOffset notAfter);

        [LoggerMessage(EventId = 3011, EventName = nameof(EventIds.TlsCertificateReloaded), Level = LogLevel.Information,
            Message = "TLS certificate of {Key} reloaded from {File}: {Subject}, thumbprint {Thumbprint}, expires {NotAfter:u}; new connections use it")]
        public static partial void Reloaded(ILogger logger, string key, string file, string subject, string thumbprint, DateTimeOffset notAfter);

        [LoggerMessage(EventId = 3012, EventName = nameof(EventIds.TlsCertificateReloadFailed), Level = LogLevel.Warning,
            Message = "The changed TLS certificate file of {Key} cannot be loaded ({File}: {Reason}); the certificate {Thumbprint} stays in force")]
        public static partial void ReloadFailed(ILogger logger, string key, string file, string reason, string thumbprint);

        [LoggerMessage(EventId = 3013, EventName = nameof(EventIds.TlsCertificateExpiresSoon), Level = LogLevel.Warning,
            Message = "The TLS certificate of {Key} ({File}, thumbprint {Thumbprint}) {Expiry} ({NotAfter:u}): renew it before clients refuse it")]
        public static partial void ExpiresSoon(ILogger logger, string key, string file, string thumbprint, string expiry, DateTimeOffset notAfter);

        [LoggerMessage(EventId = 3014, EventName = nameof(EventIds.TlsCertificateWatchFailed), Level = LogLevel.Warning,
            Message = "Cannot watch {Folder} for certificate changes ({Reason}); changes are seen by the periodic check only")]
        public static partial void WatchFailed(ILogger logger, string folder, string reason);

        [LoggerMessage(EventId = 3016, EventName = nameof(EventIds.TlsCertificateHostNameNotCovered), Level = LogLevel.Warning,
            Message = "The TLS certificate of {Key} ({File}) does not cover {HostName}, a name it is configured for: clients asking for that name will refuse it")]
        public static partial void HostNameNotCovered(ILogger logger, string key, string file, string hostName);
    }
}
