using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;
using Proxy.Core.Configuration;
using Proxy.Core.Diagnostics;
using Proxy.Core.Directory;
using Proxy.Core.Discovery;

namespace Proxy.Core.Reload;

/// <summary>
/// Applies configuration changes to the running proxy: the options (<c>Proxy</c>), the topology
/// and the directory file, each validated on its own. A part that validates is swapped in
/// whole for the next login; a part that does not keeps its previous content and the reasons
/// are logged. Sessions already running keep what they started with.
/// File events (the configuration sources' own watchers and a watch on the directory file) are
/// gathered until the files have been quiet for a moment, so an editor's save or a deployment
/// writing several files gives one reload; <see cref="Reload"/> (SIGHUP) works at once.
/// </summary>
internal sealed partial class ConfigurationReloader : IConfigurationReloader, IHostedService, IDisposable
{
    /// <summary>Quiet time after the last file event before the files are read.</summary>
    public static readonly TimeSpan DefaultSettleDelay = TimeSpan.FromMilliseconds(500);

    private readonly IConfiguration _configuration;
    private readonly LastKnownGoodOptionsMonitor _options;
    private readonly TopologyProvider _topology;
    private readonly FileUserDirectory? _directory;
    private readonly IReadOnlyList<IRestartOnlySetting> _restartOnly;
    private readonly IReadOnlyList<ITopologyCheck> _topologyChecks;
    private readonly WatchedFolders _folders;
    private readonly bool _ownsFolders;
    private readonly TimeProvider _timeProvider;
    private readonly TimeSpan _settleDelay;
    private readonly ILogger _logger;
    private readonly ILogger _topologyLogger;
    private readonly Lock _reloadLock = new();
    private readonly Lock _pendingLock = new();
    private readonly List<IDisposable> _subscriptions = [];
    private ConfigurationFiles? _files;
    private ITimer? _timer;
    private Parts _pending;
    private LastReload? _last;

    // Set while Reload re-reads the sources itself: the change events that raises are its own.
    private volatile bool _reloadingSources;

    public ConfigurationReloader(
        IConfiguration configuration,
        LastKnownGoodOptionsMonitor options,
        TopologyProvider topology,
        IUserDirectory directory,
        IEnumerable<IRestartOnlySetting> restartOnly,
        IEnumerable<ITopologyCheck> topologyChecks,
        TimeProvider timeProvider,
        ILoggerFactory loggerFactory,
        WatchedFolders? folders = null)
        : this(configuration, options, topology, directory, restartOnly, topologyChecks, timeProvider, loggerFactory, folders, DefaultSettleDelay)
    {
    }

    internal ConfigurationReloader(
        IConfiguration configuration,
        LastKnownGoodOptionsMonitor options,
        TopologyProvider topology,
        IUserDirectory directory,
        IEnumerable<IRestartOnlySetting> restartOnly,
        IEnumerable<ITopologyCheck> topologyChecks,
        TimeProvider timeProvider,
        ILoggerFactory loggerFactory,
        WatchedFolders? folders,
        TimeSpan settleDelay)
    {
        _configuration = configuration;
        _options = options;
        _topology = topology;
        // Only the file directory has a file to reload; a directory server (LDAP) is always current.
        _directory = directory as FileUserDirectory;
        _restartOnly = [.. restartOnly];
        _topologyChecks = [.. topologyChecks];
        _ownsFolders = folders is null;
        _folders = folders ?? new WatchedFolders();
        _timeProvider = timeProvider;
        _settleDelay = settleDelay;
        _logger = loggerFactory.CreateLogger<ConfigurationReloader>();
        _topologyLogger = loggerFactory.CreateLogger(typeof(TopologyProvider).FullName!);
    }

    [Flags]
    private enum Parts
    {
        None = 0,
        Configuration = 1,
        Directory = 2,
        All = Configuration | Directory,
    }

    /// <summary>Starts following file changes. The options, topology and directory in force now are the baseline.</summary>
    public void Start()
    {
        _ = _options.CurrentValue;
        _timer = _timeProvider.CreateTimer(_ => ReloadPending(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _folders.OnFailure((folder, reason) => Log.WatchFailed(_logger, folder, reason));
        if (_configuration is IConfigurationRoot root)
        {
            _files = new ConfigurationFiles(root);
            _subscriptions.Add(ChangeToken.OnChange(root.GetReloadToken, () => OnFileEvent(Parts.Configuration)));
        }

        if (_directory is not null)
        {
            _subscriptions.Add(_folders.Watch(_directory.Path, () => OnFileEvent(Parts.Directory)));
        }
    }

    /// <summary>The last reload's outcome and when it ran; null before the first. The status API shows it.</summary>
    public LastReload? Last => Volatile.Read(ref _last);

    public ReloadReport Reload(ReloadTrigger trigger)
    {
        lock (_reloadLock)
        {
            var sourceErrors = new List<string>();
            if (_configuration is IConfigurationRoot root)
            {
                _reloadingSources = true;
                try
                {
                    root.Reload();
                }
                catch (Exception ex) when (ex is IOException or InvalidDataException or FormatException or UnauthorizedAccessException)
                {
                    // Load failures of files are recorded by ConfigurationFiles; this is any other source.
                    sourceErrors.Add(ex.Message);
                }
                finally
                {
                    _reloadingSources = false;
                }
            }

            return Apply(Parts.All, trigger, sourceErrors);
        }
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        Start();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Stop();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        Stop();
        if (_ownsFolders)
        {
            _folders.Dispose();
        }
    }

    private void Stop()
    {
        IDisposable?[] stopping;
        lock (_pendingLock)
        {
            stopping = [.. _subscriptions, _files, _timer];
            _subscriptions.Clear();
            _files = null;
            _timer = null;
        }

        // Outside the lock: disposing a change registration waits for a callback in flight,
        // and that callback (OnFileEvent) takes the lock.
        foreach (var item in stopping)
        {
            item?.Dispose();
        }
    }

    private void OnFileEvent(Parts parts)
    {
        if (_reloadingSources)
        {
            return;
        }

        if (!_options.CurrentValue.Reload.WatchFiles)
        {
            Log.FileChangeIgnored(_logger);
            return;
        }

        lock (_pendingLock)
        {
            _pending |= parts;
            _timer?.Change(_settleDelay, Timeout.InfiniteTimeSpan);
        }
    }

    private void ReloadPending()
    {
        Parts parts;
        lock (_pendingLock)
        {
            parts = _pending;
            _pending = Parts.None;
        }

        if (parts == Parts.None)
        {
            return;
        }

        lock (_reloadLock)
        {
            Apply(parts, ReloadTrigger.FileChange, []);
        }
    }

    private ReloadReport Apply(Parts parts, ReloadTrigger trigger, IReadOnlyList<string> sourceErrors)
    {
        var outcome = new Outcome();
        try
        {
            if (parts.HasFlag(Parts.Configuration))
            {
                IReadOnlyList<string> fileErrors = [.. sourceErrors, .. _files?.Errors() ?? []];
                if (fileErrors.Count > 0)
                {
                    outcome.Refuse("configuration files", fileErrors);
                }
                else
                {
                    ApplyOptions(outcome);
                    ApplyTopology(outcome);
                    outcome.RestartRequired.AddRange(_restartOnly.Where(s => s.HasChanged()).Select(s => s.Key));
                }
            }

            if (parts.HasFlag(Parts.Directory))
            {
                ApplyDirectory(outcome);
            }
        }
        catch (Exception ex)
        {
            // This runs on a timer thread, where an exception would end the process; whatever went
            // wrong, the parts not yet applied keep their previous content.
            outcome.Refuse("reload", [$"{ex.GetType().Name}: {ex.Message}"]);
        }

        var report = new ReloadReport(trigger, outcome.Changed, outcome.Refused, outcome.Errors, outcome.RestartRequired);
        Report(report);
        return report;
    }

    private void ApplyOptions(Outcome outcome)
    {
        if (!_options.TryCreate(out var candidate, out var errors))
        {
            outcome.Refuse("options", errors);
            return;
        }

        var running = _options.CurrentValue;
        var keys = OptionsDifference.ChangedKeys(running, candidate);
        outcome.RestartRequired.AddRange(keys.Select(RestartOnlySettings.Of).OfType<string>().Distinct());
        RestartOnlySettings.KeepRunningValues(running, candidate);
        var applied = keys.Where(key => RestartOnlySettings.Of(key) is null).ToList();
        if (applied.Count > 0)
        {
            _options.Apply(candidate);
            outcome.Changed.Add($"options ({string.Join(", ", applied)})");
        }
    }

    private void ApplyTopology(Outcome outcome)
    {
        try
        {
            if (_topology.Reload(_configuration, _topologyLogger, Check))
            {
                outcome.Changed.Add("topology");
            }
        }
        catch (TopologyValidationException ex)
        {
            outcome.Refuse("topology", ex.Errors);
        }
    }

    private IReadOnlyList<string> Check(TopologySnapshot topology) =>
        [.. _topologyChecks.SelectMany(c => c.Check(topology))];

    private void ApplyDirectory(Outcome outcome)
    {
        if (_directory is null)
        {
            return;
        }

        try
        {
            if (_directory.Reload())
            {
                outcome.Changed.Add("directory");
            }
        }
        catch (DirectoryFileException ex)
        {
            outcome.Refuse("directory", [.. ex.Errors.Select(e => $"{ex.Path}: {e}")]);
        }
    }

    private void Report(ReloadReport report)
    {
        Volatile.Write(ref _last, new LastReload(_timeProvider.GetUtcNow(), report));
        var trigger = TriggerName(report.Trigger);
        foreach (var key in report.RestartRequired)
        {
            Log.RestartRequired(_logger, key);
        }

        if (report.Refused.Count > 0)
        {
            Log.Refused(_logger, trigger, string.Join(", ", report.Refused), string.Join("; ", report.Errors));
        }

        if (report.Changed.Count > 0)
        {
            Log.Reloaded(_logger, trigger, string.Join("; ", report.Changed));
        }
        else if (report.Refused.Count == 0 && report.Trigger != ReloadTrigger.FileChange)
        {
            // Asked for by an operator: always answer.
            Log.Reloaded(_logger, trigger, "nothing changed");
        }
        else if (report.Refused.Count == 0)
        {
            Log.Unchanged(_logger, trigger);
        }
    }

    private static string TriggerName(ReloadTrigger trigger) => trigger switch
    {
        ReloadTrigger.FileChange => "file change",
        ReloadTrigger.Signal => "SIGHUP",
        _ => "request",
    };

    private sealed class Outcome
    {
        public List<string> Changed { get; } = [];

        public List<string> Refused { get; } = [];

        public List<string> Errors { get; } = [];

        public List<string> RestartRequired { get; } = [];

        public void Refuse(string part, IEnumerable<string> errors)
        {
            Refused.Add(part);
            Errors.AddRange(errors);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 3020, EventName = nameof(EventIds.ConfigurationReloaded), Level = LogLevel.Information,
            Message = "Configuration reloaded ({Trigger}): {Changes}.")]
        public static partial void Reloaded(ILogger logger, string trigger, string changes);

        [LoggerMessage(EventId = 3021, EventName = nameof(EventIds.ConfigurationReloadRefused), Level = LogLevel.Error,
            Message = "Configuration reload ({Trigger}) refused the new {Parts}; the previous stays in force: {Errors}")]
        public static partial void Refused(ILogger logger, string trigger, string parts, string errors);

        [LoggerMessage(EventId = 3022, EventName = nameof(EventIds.ConfigurationRestartRequired), Level = LogLevel.Warning,
            Message = "{Key} changed, but it is read only at start: the running value stays until the proxy is restarted.")]
        public static partial void RestartRequired(ILogger logger, string key);

        [LoggerMessage(EventId = 3024, EventName = nameof(EventIds.ConfigurationWatchFailed), Level = LogLevel.Warning,
            Message = "Cannot watch {Folder} for changes ({Reason}); edits there are applied on SIGHUP only.")]
        public static partial void WatchFailed(ILogger logger, string folder, string reason);

        [LoggerMessage(EventId = 3025, EventName = nameof(EventIds.ConfigurationUnchanged), Level = LogLevel.Debug,
            Message = "Configuration files changed on disk ({Trigger}), but nothing in force changed.")]
        public static partial void Unchanged(ILogger logger, string trigger);

        [LoggerMessage(EventId = 3026, EventName = nameof(EventIds.ConfigurationFileChangeIgnored), Level = LogLevel.Debug,
            Message = "A configuration file changed; Proxy:Reload:WatchFiles is false, so the change waits for SIGHUP.")]
        public static partial void FileChangeIgnored(ILogger logger);
    }
}
