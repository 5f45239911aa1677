using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Proxy.Core.Configuration;

namespace Proxy.Core.Discovery;

public static class TopologyServiceCollectionExtensions
{
    private const string SectionName = "Topology";

    /// <summary>
    /// Registers <see cref="ITopologyProvider"/> (built from the <c>Topology</c>
    /// configuration section when first resolved; an invalid section throws
    /// <see cref="TopologyValidationException"/> there) and <see cref="IMailboxLocator"/>.
    /// The configuration reloader (<c>Proxy.Core.Reload</c>) rebuilds it when the
    /// configuration changes, so a moved database is followed without a restart.
    /// </summary>
    public static IServiceCollection AddTopology(this IServiceCollection services)
    {
        services.TryAddSingleton(provider =>
        {
            var configuration = provider.GetRequiredService<IConfiguration>();
            var logger = provider.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(TopologyProvider).FullName!);
            var options = Bind(configuration);
            return new TopologyProvider(TopologyBuilder.Build(options, logger), options);
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
}
