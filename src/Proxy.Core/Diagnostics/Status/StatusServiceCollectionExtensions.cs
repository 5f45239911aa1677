using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Proxy.Core.Diagnostics.Status;

public static class StatusServiceCollectionExtensions
{
    /// <summary>
    /// Registers what the status API reads besides the pipeline's own state: the activity counters
    /// (started with the host) and the recent-events buffer with its logging provider.
    /// </summary>
    public static IServiceCollection AddStatusSources(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ActivityCounters>();
        services.AddHostedService(provider => provider.GetRequiredService<ActivityCounters>());
        // Sized from configuration directly: the logger factory is built before options are validated,
        // and an invalid value must reach start-up validation (exit 2) rather than escape from here.
        services.TryAddSingleton(_ => new RecentEventBuffer(RecentEventCapacity(configuration)));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ILoggerProvider, RecentEventLoggerProvider>());
        return services;
    }

    private static int RecentEventCapacity(IConfiguration configuration) =>
        int.TryParse(configuration["Proxy:Dashboard:RecentEvents"], NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
            && value is >= 1 and <= DashboardOptions.MaxRecentEvents
            ? value
            : new DashboardOptions().RecentEvents;
}
