using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Proxy.Core.Configuration;

namespace Proxy.Core.Sessions;

/// <summary>
/// Starts the shutdown drain when the host stops (SIGTERM). Registered after Kestrel's
/// own hosted service, so it runs first and returns at once; Kestrel then stops accepting
/// and waits for the connections, which end as their sessions say goodbye or are cut off
/// at <see cref="ProxyOptions.ShutdownDrainTimeout"/>.
/// </summary>
internal sealed class SessionShutdown(SessionRegistry registry, IOptionsMonitor<ProxyOptions> options) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken)
    {
        registry.BeginShutdown(options.CurrentValue.ShutdownDrainTimeout);
        return Task.CompletedTask;
    }
}
