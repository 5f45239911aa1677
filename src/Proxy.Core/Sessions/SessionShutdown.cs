using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Proxy.Core.Configuration;

namespace Proxy.Core.Sessions;

/// <summary>
/// Starts the shutdown drain when the host stops (SIGTERM). It runs in the host's "stopping"
/// phase, before any hosted service stops, Kestrel's included (which is stopped first of all:
/// it is registered last), and returns at once. Kestrel then stops accepting and waits for the
/// connections, which end as their sessions say goodbye or are cut off at
/// <see cref="ProxyOptions.ShutdownDrainTimeout"/>.
/// </summary>
internal sealed class SessionShutdown(SessionRegistry registry, IOptionsMonitor<ProxyOptions> options) : IHostedLifecycleService
{
    public Task StoppingAsync(CancellationToken cancellationToken)
    {
        registry.BeginShutdown(options.CurrentValue.ShutdownDrainTimeout);
        return Task.CompletedTask;
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
