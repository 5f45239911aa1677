using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Proxy.Core.PreAuth.Imap;
using Proxy.Core.PreAuth.Pop3;

namespace Proxy.Core.PreAuth;

public static class PreAuthServiceCollectionExtensions
{
    /// <summary>
    /// Registers one <see cref="IFrontEndDialogueFactory"/> per protocol (resolve
    /// <c>IEnumerable&lt;IFrontEndDialogueFactory&gt;</c> and pick by
    /// <see cref="IFrontEndDialogueFactory.Protocol"/>) and <see cref="TimeProvider.System"/>
    /// unless a TimeProvider is already registered.
    /// </summary>
    public static IServiceCollection AddPreAuthDialogues(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);

        services.AddOptions();
        services.AddLogging();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IFrontEndDialogueFactory, ImapDialogueFactory>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IFrontEndDialogueFactory, Pop3DialogueFactory>());
        return services;
    }
}
