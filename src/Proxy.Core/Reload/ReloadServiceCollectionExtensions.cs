using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Proxy.Core.Configuration;

namespace Proxy.Core.Reload;

public static class ReloadServiceCollectionExtensions
{
    /// <summary>
    /// Registers the configuration reloader (started with the host) and makes
    /// <c>IOptionsMonitor&lt;ProxyOptions&gt;</c> the last-known-good monitor, so every
    /// consumer of <c>CurrentValue</c> sees only validated options. The host adds the SIGHUP
    /// handler, a <see cref="WatchedFolders"/> shared with its configuration files, and its
    /// <see cref="IRestartOnlySetting"/>s and <see cref="ITopologyCheck"/>s.
    /// </summary>
    public static IServiceCollection AddConfigurationReload(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<LastKnownGoodOptionsMonitor>();
        services.TryAddSingleton<IOptionsMonitor<ProxyOptions>>(provider => provider.GetRequiredService<LastKnownGoodOptionsMonitor>());
        services.TryAddSingleton<ConfigurationReloader>();
        services.TryAddSingleton<IConfigurationReloader>(provider => provider.GetRequiredService<ConfigurationReloader>());
        services.AddHostedService(provider => provider.GetRequiredService<ConfigurationReloader>());
        return services;
    }
}
