using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Proxy.Core.Backends.Drain;

namespace Proxy.Core.Sessions;

internal static class SessionsServiceCollectionExtensions
{
    /// <summary>The live-session registry, the drain marks, and the shutdown drain: runtime state, one per process.</summary>
    public static IServiceCollection AddSessionRegistry(this IServiceCollection services)
    {
        services.TryAddSingleton<SessionRegistry>();
        services.TryAddSingleton<DrainState>();
        services.TryAddSingleton<IDrainState>(sp => sp.GetRequiredService<DrainState>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, SessionShutdown>());
        return services;
    }
}
