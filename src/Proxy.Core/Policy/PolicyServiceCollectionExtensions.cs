using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Proxy.Core.Policy;

public static class PolicyServiceCollectionExtensions
{
    /// <summary>Registers <see cref="ISessionPolicy"/>; it reads <c>IOptionsMonitor&lt;ProxyOptions&gt;</c>, which the host configures.</summary>
    public static IServiceCollection AddSessionPolicy(this IServiceCollection services)
    {
        services.TryAddSingleton<ISessionPolicy, SessionPolicy>();
        services.TryAddSingleton<ConnectionLimits>();
        services.TryAddSingleton<LoginThrottle>();
        return services;
    }
}
