using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.FileProviders.Physical;
using Microsoft.Extensions.Primitives;

namespace Proxy.Core.Reload;

/// <summary>
/// One file provider per folder, shared by every watched file in it: the configuration
/// files, the topology file and the directory file. On Linux each provider's watcher holds an
/// inotify instance and the per-user limit is often 128, so a provider per file would run out
/// on a busy host. A folder that cannot be watched (the limit reached, the folder missing) is
/// recorded in <see cref="Failures"/> and left unwatched: SIGHUP still reloads it.
/// </summary>
public sealed class WatchedFolders : IDisposable
{
    private readonly Dictionary<string, IFileProvider> _providers = new(StringComparer.Ordinal);
    private readonly List<(string Folder, string Reason)> _failures = [];
    private Action<string, string>? _onFailure;

    /// <summary>Folders that could not be watched, with the reason, in the order found.</summary>
    public IReadOnlyList<(string Folder, string Reason)> Failures
    {
        get
        {
            lock (_failures)
            {
                return [.. _failures];
            }
        }
    }

    /// <summary>
    /// Shares a physical provider someone else owns (the host's content root, which already
    /// watches appsettings.json) for files in its folder. It is not disposed here.
    /// </summary>
    public void Adopt(IFileProvider provider)
    {
        if (provider is PhysicalFileProvider physical)
        {
            var root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(physical.Root));
            lock (_providers)
            {
                _providers.TryAdd(root, new GuardedFileProvider(physical, root, this, owned: false));
            }
        }
    }

    /// <summary>The provider for <paramref name="folder"/>, created on first use.</summary>
    public IFileProvider For(string folder)
    {
        var root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder));
        lock (_providers)
        {
            if (!_providers.TryGetValue(root, out var provider))
            {
                try
                {
                    // ExclusionFilters.None: the stock filter ignores dot-files, and a configured file may be one.
                    provider = new GuardedFileProvider(new PhysicalFileProvider(root, ExclusionFilters.None), root, this, owned: true);
                }
                catch (Exception ex) when (ex is IOException or ArgumentException or UnauthorizedAccessException)
                {
                    // A missing folder: the files in it are missing too, which validation reports by key.
                    Report(root, ex);
                    provider = new NullFileProvider();
                }

                _providers.Add(root, provider);
            }

            return provider;
        }
    }

    /// <summary>
    /// Calls <paramref name="onChange"/> whenever <paramref name="path"/> is written, created,
    /// deleted, or renamed onto (an editor's or deployment tool's atomic replace).
    /// </summary>
    public IDisposable Watch(string path, Action onChange)
    {
        var full = Path.GetFullPath(path);
        var provider = For(Path.GetDirectoryName(full)!);
        var name = Path.GetFileName(full);
        return ChangeToken.OnChange(() => provider.Watch(name), onChange);
    }

    /// <summary>Tells <paramref name="onFailure"/> (folder, reason) of every failure so far and every later one.</summary>
    public void OnFailure(Action<string, string> onFailure)
    {
        (string Folder, string Reason)[] earlier;
        lock (_failures)
        {
            earlier = [.. _failures];
            _onFailure += onFailure;
        }

        foreach (var (folder, reason) in earlier)
        {
            onFailure(folder, reason);
        }
    }

    public void Dispose()
    {
        lock (_providers)
        {
            foreach (var provider in _providers.Values.OfType<GuardedFileProvider>().Where(p => p.Owned))
            {
                provider.Inner.Dispose();
            }

            _providers.Clear();
        }
    }

    private void Report(string folder, Exception exception)
    {
        Action<string, string>? onFailure;
        lock (_failures)
        {
            _failures.Add((folder, exception.Message));
            onFailure = _onFailure;
        }

        onFailure?.Invoke(folder, exception.Message);
    }

    /// <summary>A physical provider whose <see cref="Watch"/> never throws: an unwatchable folder is reported once and yields a token that never fires.</summary>
    private sealed class GuardedFileProvider(PhysicalFileProvider inner, string root, WatchedFolders owner, bool owned) : IFileProvider
    {
        private int _reported;

        public PhysicalFileProvider Inner { get; } = inner;

        public bool Owned { get; } = owned;

        public IFileInfo GetFileInfo(string subpath) => Inner.GetFileInfo(subpath);

        public IDirectoryContents GetDirectoryContents(string subpath) => Inner.GetDirectoryContents(subpath);

        public IChangeToken Watch(string filter)
        {
            try
            {
                return Inner.Watch(filter);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or PlatformNotSupportedException)
            {
                if (Interlocked.Exchange(ref _reported, 1) == 0)
                {
                    owner.Report(root, ex);
                }

                return NullChangeToken.Singleton;
            }
        }
    }
}
