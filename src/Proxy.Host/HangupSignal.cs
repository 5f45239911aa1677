using System.Runtime.InteropServices;
using Proxy.Core.Diagnostics;
using Proxy.Core.Reload;

namespace Proxy.Host;

/// <summary>
/// SIGHUP reloads the configuration files and the directory file, as mail daemons
/// conventionally do (Dovecot, nginx, HAProxy). It also works where file events are not
/// delivered and when <c>Proxy:Reload:WatchFiles</c> is false.
/// </summary>
internal sealed partial class HangupSignal(IConfigurationReloader reloader, ILogger<HangupSignal> logger) : IHostedService, IDisposable
{
    private PosixSignalRegistration? _registration;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _registration = PosixSignalRegistration.Create(PosixSignal.SIGHUP, OnSignal);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Dispose();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        _registration?.Dispose();
        _registration = null;
    }

    private void OnSignal(PosixSignalContext context)
    {
        // SIGHUP's default action ends the process.
        context.Cancel = true;
        Log.SignalReceived(logger);

        // Off the signal-handling thread: a reload reads files.
        _ = Task.Run(() => reloader.Reload(ReloadTrigger.Signal));
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 3023, EventName = nameof(EventIds.ReloadSignalReceived), Level = LogLevel.Information,
            Message = "SIGHUP received: reloading the configuration files and the directory file.")]
        public static partial void SignalReceived(ILogger logger);
    }
}
