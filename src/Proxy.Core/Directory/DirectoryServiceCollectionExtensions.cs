using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Proxy.Core.Configuration;

namespace Proxy.Core.Directory;

public static class DirectoryServiceCollectionExtensions
{
    /// <summary>
    /// Registers the file directory as <see cref="IUserDirectory"/>, reading
    /// <see cref="ProxyOptions.DirectoryFile"/> (relative to the content root).
    /// The file is read when the directory is first resolved; an invalid file
    /// throws <see cref="DirectoryFileException"/> there.
    /// </summary>
    public static IServiceCollection AddFileDirectory(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(provider =>
        {
            var options = provider.GetRequiredService<IOptionsMonitor<ProxyOptions>>();
            return new PasswordVerificationGate(
                options.CurrentValue.PasswordVerification.EffectiveMaxConcurrency,
                () => options.CurrentValue.PasswordVerification.QueueTimeout,
                provider.GetRequiredService<TimeProvider>(),
                provider.GetRequiredService<ILogger<PasswordVerificationGate>>());
        });
        services.TryAddSingleton(provider =>
        {
            var file = provider.GetRequiredService<IOptions<ProxyOptions>>().Value.DirectoryFile;
            if (string.IsNullOrWhiteSpace(file))
            {
                throw new DirectoryFileException("(none)", ["Proxy:DirectoryFile: missing (the JSON file of users)"]);
            }

            var root = provider.GetService<IHostEnvironment>()?.ContentRootPath ?? System.IO.Directory.GetCurrentDirectory();
            return new FileUserDirectory(
                System.IO.Path.GetFullPath(file, root),
                provider.GetRequiredService<TimeProvider>(),
                provider.GetRequiredService<ILogger<FileUserDirectory>>(),
                provider.GetRequiredService<PasswordVerificationGate>());
        });
        services.TryAddSingleton<IUserDirectory>(provider => provider.GetRequiredService<FileUserDirectory>());
        return services;
    }
}
