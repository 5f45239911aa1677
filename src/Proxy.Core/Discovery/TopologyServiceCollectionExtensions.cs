using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;
using Proxy.Core.Configuration;
using Proxy.Core.Diagnostics;

namespace Proxy.Core.Discovery;

public static partial class TopologyServiceCollectionExtensions
{
    private const string SectionName = "Topology";

    /// <summary>
    /// Registers <see cref="ITopologyProvider"/> (built from the <c>Topology</c>
    /// configuration section when first resolved; an invalid section throws
    /// <see cref="TopologyValidationException"/> there) and <see cref="IMailboxLocator"/>.
    /// When the configuration reloads, the topology is rebuilt and swapped in, so
    /// a moved database is followed without a restart; an invalid reload is logged
    /// and the previous topology stays in force.
    /// </summary>
    public static IServiceCollection AddTopology(this IServiceCollection services)
    {
        services.TryAddSingleton(provider =>
        {
            var configuration = provider.GetRequiredService<IConfiguration>();
            var logger = provider.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(TopologyProvider).FullName!);
            var topology = new TopologyProvider(TopologyBuilder.Build(Bind(configuration), logger));
            ChangeToken.OnChange(configuration.GetReloadToken, () => Rebuild(configuration, topology, logger));
            return topology;
        });
        services.TryAddSingleton<ITopologyProvider>(provider => provider.GetRequiredService<TopologyProvider>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IDiscoveryRule, MailboxServerRule>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IDiscoveryRule, Exchange2010ClientAccessRule>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IDiscoveryRule, Exchange2007ClientAccessRule>());
        services.TryAddSingleton<IMailboxLocator, MailboxLocator>();
        return services;
    }

    internal static TopologyOptions Bind(IConfiguration configuration)
    {
        try
        {
            return configuration.GetSection(SectionName).Get<TopologyOptions>() ?? new TopologyOptions();
        }
        catch (InvalidOperationException ex)
        {
            // The binder names the key and value it could not convert, e.g. a port written as text.
            throw new TopologyValidationException([$"{SectionName}: {ex.Message}"]);
        }
    }

    private static void Rebuild(IConfiguration configuration, TopologyProvider topology, ILogger logger)
    {
        try
        {
            var snapshot = TopologyBuilder.Build(Bind(configuration), logger);
            topology.Update(snapshot);
            Log.Reloaded(logger, snapshot.Servers.Count, snapshot.Databases.Count);
        }
        catch (TopologyValidationException ex)
        {
            Log.ReloadFailed(logger, string.Join("; ", ex.Errors));
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 3217, EventName = nameof(EventIds.TopologyReloaded), Level = LogLevel.Information,
            Message = "Topology reloaded: {ServerCount} servers, {DatabaseCount} databases.")]
        public static partial void Reloaded(ILogger logger, int serverCount, int databaseCount);

        [LoggerMessage(EventId = 3218, EventName = nameof(EventIds.TopologyReloadFailed), Level = LogLevel.Error,
            Message = "The reloaded topology is invalid; the previous one stays in force: {Errors}")]
        public static partial void ReloadFailed(ILogger logger, string errors);
    }
}
