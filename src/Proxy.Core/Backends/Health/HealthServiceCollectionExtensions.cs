using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace Proxy.Core.Backends.Health;

public static class HealthServiceCollectionExtensions
{
    /// <summary>
    /// Registers backend health: the state every endpoint is judged by (<see cref="IBackendHealth"/>,
    /// fed by probes and by the connector's attempts) and the hosted service that probes.
    /// Needs logging, <c>IOptionsMonitor&lt;ProxyOptions&gt;</c>, the topology and the backend logins.
    /// </summary>
    public static IServiceCollection AddBackendHealth(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<BackendHealthMonitor>();
        services.TryAddSingleton<IBackendHealth>(provider => provider.GetRequiredService<BackendHealthMonitor>());
        services.TryAddSingleton<IEndpointProber, BackendProber>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, BackendProbeService>());
        return services;
    }
}
