using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Proxy.Core.Backends.Connect;
using Proxy.Core.Backends.Health;
using Proxy.Core.Backends.Login;

namespace Proxy.Core.Backends;

public static class BackendServiceCollectionExtensions
{
    /// <summary>
    /// Registers step 5: <see cref="IBackendConnector"/> and the IMAP and POP3 backend logins.
    /// Needs logging and <c>IOptionsMonitor&lt;ProxyOptions&gt;</c>; adds <see cref="TimeProvider.System"/> unless one is registered.
    /// The connector consults backend health when it is registered too (<see cref="HealthServiceCollectionExtensions.AddBackendHealth"/>).
    /// </summary>
    public static IServiceCollection AddBackendConnector(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IBackendLogin, ImapBackendLogin>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IBackendLogin, Pop3BackendLogin>());
        services.TryAddSingleton<IBackendConnector, BackendConnector>();
        return services;
    }
}
