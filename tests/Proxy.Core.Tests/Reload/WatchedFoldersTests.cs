using Proxy.Core.Reload;

namespace Proxy.Core.Tests.Reload;

/// <summary>Real file events on a temporary folder: what an editor or a deployment tool does to a watched file.</summary>
public sealed class WatchedFoldersTests : IDisposable
{
    private static readonly TimeSpan EventTimeout = TimeSpan.FromSeconds(10);

    private readonly string _folder = System.IO.Directory.CreateTempSubdirectory("proxy-watch-").FullName;
    private readonly WatchedFolders _folders = new();

    public void Dispose()
    {
        _folders.Dispose();
        System.IO.Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task Watch_FileWrittenInPlace_Told()
    {
        var path = Write("users.json", "one");
        var told = new SemaphoreSlim(0);
        using var watch = _folders.Watch(path, () => told.Release());

        File.WriteAllText(path, "two");

        Assert.True(await told.WaitAsync(EventTimeout), "no event for a write in place");
    }

    [Fact]
    public async Task Watch_FileReplacedByRename_Told()
    {
        var path = Write("users.json", "one");
        var told = new SemaphoreSlim(0);
        using var watch = _folders.Watch(path, () => told.Release());

        var temporary = Write("users.json.tmp", "two");
        File.Move(temporary, path, overwrite: true);

        Assert.True(await told.WaitAsync(EventTimeout), "no event for an atomic replace");
    }

    [Fact]
    public async Task Watch_TwoChangesInARow_ToldForEach()
    {
        var path = Write("users.json", "one");
        var told = new SemaphoreSlim(0);
        using var watch = _folders.Watch(path, () => told.Release());

        File.WriteAllText(path, "two");
        Assert.True(await told.WaitAsync(EventTimeout));
        while (await told.WaitAsync(TimeSpan.FromMilliseconds(300)))
        {
            // One write can raise several events; take them all before the second change.
        }

        File.WriteAllText(path, "three");

        Assert.True(await told.WaitAsync(EventTimeout), "the watch did not renew after the first change");
    }

    [Fact]
    public void For_SameFolderTwice_OneProvider()
    {
        Assert.Same(_folders.For(_folder), _folders.For(_folder + Path.DirectorySeparatorChar));
    }

    [Fact]
    public void For_MissingFolder_ReportedNotThrown()
    {
        var missing = Path.Combine(_folder, "missing");

        var provider = _folders.For(missing);

        Assert.False(provider.GetFileInfo("users.json").Exists);
        Assert.Equal(missing, Assert.Single(_folders.Failures).Folder);
    }

    private string Write(string name, string text)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllText(path, text);
        return path;
    }
}
