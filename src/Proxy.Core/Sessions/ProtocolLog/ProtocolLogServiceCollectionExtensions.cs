using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace Proxy.Core.Sessions.ProtocolLog;

internal static class ProtocolLogServiceCollectionExtensions
{
    /// <summary>
    /// The protocol logs and their writer. Registered before the session registry so that its
    /// hosted service stops after the shutdown drain (hosted services stop in reverse order).
    /// </summary>
    public static IServiceCollection AddProtocolLog(this IServiceCollection services)
    {
        services.TryAddSingleton<ProtocolLogs>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, ProtocolLogs>(sp => sp.GetRequiredService<ProtocolLogs>()));
        return services;
    }
}
