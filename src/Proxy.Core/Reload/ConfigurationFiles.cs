using System.Collections.Concurrent;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Primitives;

namespace Proxy.Core.Reload;

/// <summary>
/// Knows whether every configuration file read cleanly at its last load. A file that fails
/// to parse on reload would otherwise go unnoticed and, worse, the file providers replace
/// its values with nothing: the keys it held would fall back to lower sources or defaults
/// and could still validate. While any file is broken or gone, the reloader therefore
/// applies no options and no topology at all.
/// </summary>
internal sealed class ConfigurationFiles : IDisposable
{
    private readonly ConcurrentDictionary<FileConfigurationProvider, string> _loading = new();
    private readonly ConcurrentDictionary<FileConfigurationProvider, string> _failed = new();
    private readonly List<(FileConfigurationProvider Provider, string? Path, bool ExistedAtStart)> _files = [];
    private readonly List<IDisposable> _registrations = [];

    /// <summary>Hooks every file provider of <paramref name="root"/>; call once the initial load is done.</summary>
    public ConfigurationFiles(IConfigurationRoot root)
    {
        foreach (var provider in root.Providers.OfType<FileConfigurationProvider>())
        {
            // A missing file has no physical path in its provider: remember where it was.
            var path = PathOf(provider);
            _files.Add((provider, path, path is not null && File.Exists(path)));

            // From now on a load failure is recorded and reported instead of thrown: thrown from a
            // file watcher's callback it would be swallowed, and from a SIGHUP reload it would
            // stop the providers after it from loading.
            provider.Source.OnLoadException = context =>
            {
                _loading[provider] = Describe(provider, context.Exception);
                context.Ignore = true;
            };

            // A provider signals its reload after the load, and after the failure callback when there was one.
            _registrations.Add(ChangeToken.OnChange(provider.GetReloadToken, () => Settle(provider)));
        }
    }

    /// <summary>Why the files cannot be used now: each names its file. Empty when all read cleanly.</summary>
    public IReadOnlyList<string> Errors()
    {
        var errors = new List<string>();
        foreach (var (provider, path, existedAtStart) in _files)
        {
            if (path is not null && !File.Exists(path) && (existedAtStart || !provider.Source.Optional))
            {
                errors.Add($"{path}: missing");
            }
            else if (_failed.TryGetValue(provider, out var error))
            {
                errors.Add(error);
            }
        }

        return errors;
    }

    public void Dispose()
    {
        foreach (var registration in _registrations)
        {
            registration.Dispose();
        }
    }

    private void Settle(FileConfigurationProvider provider)
    {
        if (_loading.TryRemove(provider, out var error))
        {
            _failed[provider] = error;
        }
        else
        {
            _failed.TryRemove(provider, out _);
        }
    }

    private static string? PathOf(FileConfigurationProvider provider) =>
        provider.Source.FileProvider?.GetFileInfo(provider.Source.Path ?? "").PhysicalPath;

    private static string Describe(FileConfigurationProvider provider, Exception exception)
    {
        // "Could not parse the JSON file." says little; the inner JsonException has the line and position.
        var reason = exception.InnerException is { } inner ? $"{exception.Message} {inner.Message}" : exception.Message;
        return $"{PathOf(provider) ?? provider.Source.Path}: {reason}";
    }
}
