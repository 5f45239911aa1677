using Proxy.Core.Sessions.ProtocolLog;

namespace Proxy.Core.Tests.Sessions.ProtocolLog;

public sealed class ProtocolLogRetentionTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 6, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly string _directory = System.IO.Directory.CreateTempSubdirectory("plog-retention-").FullName;

    public void Dispose() => System.IO.Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Apply_FilesOlderThanMaxAge_DeletedOthersAndForeignFilesKept()
    {
        var old = Create("IMAP420260401-1.LOG", 100, Now.AddDays(-31));
        var recent = Create("IMAP420260520-1.LOG", 100, Now.AddDays(-12));
        var foreign = Create("notes.txt", 100, Now.AddDays(-400));
        var otherProtocol = Create("POP320250101-1.LOG", 100, Now.AddDays(-400));

        var (deleted, error) = ProtocolLogRetention.Apply(_directory, "IMAP4", new ProtocolLogOptions { MaxAge = TimeSpan.FromDays(30) }, Now, current: null);

        Assert.Null(error);
        Assert.Equal(["IMAP420260401-1.LOG"], deleted);
        Assert.False(File.Exists(old));
        Assert.True(File.Exists(recent) && File.Exists(foreign) && File.Exists(otherProtocol));
    }

    [Fact]
    public void Apply_TotalOverMaxDirectorySize_OldestDeletedFirstUntilItFitsCurrentKept()
    {
        var oldest = Create("IMAP420260527-1.LOG", 4000, Now.AddDays(-5));
        var older = Create("IMAP420260528-1.LOG", 4000, Now.AddDays(-4));
        var newer = Create("IMAP420260529-1.LOG", 4000, Now.AddDays(-3));
        var current = Create("IMAP420260601-1.LOG", 4000, Now.AddDays(-6));

        var options = new ProtocolLogOptions { MaxDirectorySize = 10_000, LogPerFileSizeQuota = 4096 };
        var (deleted, _) = ProtocolLogRetention.Apply(_directory, "IMAP4", options, Now, current);

        Assert.Equal(["IMAP420260527-1.LOG", "IMAP420260528-1.LOG"], deleted);
        Assert.False(File.Exists(oldest) || File.Exists(older));
        Assert.True(File.Exists(newer));
        Assert.True(File.Exists(current), "the file being written is never deleted, however old its timestamp");
    }

    [Fact]
    public void Apply_NoSizeLimit_NothingDeletedForSize()
    {
        Create("IMAP420260527-1.LOG", 4000, Now.AddDays(-5));
        Create("IMAP420260528-1.LOG", 4000, Now.AddDays(-4));

        var (deleted, _) = ProtocolLogRetention.Apply(_directory, "IMAP4", new ProtocolLogOptions { MaxDirectorySize = 0 }, Now, null);

        Assert.Empty(deleted);
    }

    [Fact]
    public void Apply_FolderMissing_NothingAndNoFolderCreated()
    {
        var missing = Path.Combine(_directory, "absent");

        var (deleted, error) = ProtocolLogRetention.Apply(missing, "IMAP4", new ProtocolLogOptions(), Now, null);

        Assert.Empty(deleted);
        Assert.Null(error);
        Assert.False(System.IO.Directory.Exists(missing));
    }

    private string Create(string name, int size, DateTimeOffset lastWrite)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllBytes(path, new byte[size]);
        File.SetLastWriteTimeUtc(path, lastWrite.UtcDateTime);
        return path;
    }
}
