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
        var section = configuration.GetSection(SectionName);

        // The binder silently drops a list element it cannot convert (a port written
        // as text would make a whole server vanish), so each element is bound alone first
        // to name the problem. Unknown keys are errors: a misspelt key would otherwise be ignored.
        var errors = new List<string>();
        CheckElements<ServerOptions>(section, "Servers", errors);
        CheckElements<DatabaseOptions>(section, "Databases", errors);
        if (errors.Count == 0)
        {
            try
            {
                return section.Get<TopologyOptions>(Strict) ?? new TopologyOptions();
            }
            catch (InvalidOperationException ex)
            {
                errors.Add($"{SectionName}: {ex.Message}");
            }
        }

        throw new TopologyValidationException(errors);
    }

    private static void CheckElements<T>(IConfigurationSection section, string list, List<string> errors)
    {
        foreach (var element in section.GetSection(list).GetChildren())
        {
            try
            {
                element.Get<T>(Strict);
            }
            catch (InvalidOperationException ex)
            {
                errors.Add($"{SectionName}:{list}[{element.Key}]: {ex.Message}");
            }
        }
    }

    private static void Strict(BinderOptions options) => options.ErrorOnUnknownConfiguration = true;

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
