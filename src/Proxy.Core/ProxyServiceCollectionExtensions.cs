using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Proxy.Core.Backends;
using Proxy.Core.Backends.Health;
using Proxy.Core.Configuration;
using Proxy.Core.Diagnostics;
using Proxy.Core.Diagnostics.Status;
using Proxy.Core.Directory;
using Proxy.Core.Discovery;
using Proxy.Core.Listening;
using Proxy.Core.Policy;
using Proxy.Core.PreAuth;
using Proxy.Core.Reload;
using Proxy.Core.Sessions;

namespace Proxy.Core;

/// <summary>The one public entry point: registers every stage of the mail session pipeline.</summary>
public static class ProxyServiceCollectionExtensions
{
    public static IServiceCollection AddMailProxy(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ProxyOptions>().Bind(configuration.GetSection("Proxy")).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ProxyOptions>, ProxyOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.AddMetrics();
        services.TryAddSingleton<ProxyMetrics>();

        services.AddFileDirectory();
        services.AddTopology();
        services.AddSessionPolicy();
        services.AddBackendConnector();
        services.AddBackendHealth();
        services.AddPreAuthDialogues();
        services.AddConfigurationReload();

        services.TryAddSingleton<FrontEndCertificate>();
        services.TryAddSingleton<SessionOrchestrator>();
        services.TryAddSingleton<MailConnectionHandler>();
        services.TryAddSingleton<ListenerStates>();
        services.AddSessionRegistry();
        services.AddStatusSources(configuration);
        return services;
    }
}
