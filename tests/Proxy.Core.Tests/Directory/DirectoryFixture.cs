using System.Text.Json;
using Microsoft.Extensions.Logging;
using Proxy.Core.Directory;
using Proxy.Core.Tests.Discovery;
using Proxy.Core.Tests.TestDoubles;

namespace Proxy.Core.Tests.Directory;

/// <summary>A directory file in a temporary folder, and a directory over it whose password checks are counted.</summary>
internal sealed class DirectoryFixture : IDisposable
{
    public const int Iterations = 10;

    // Hashing is slow on purpose; the same hashes serve every test.
    public static readonly string AlicePasswordHash = PasswordHasher.Hash("alice-pw", Iterations);
    public static readonly string BobPasswordHash = PasswordHasher.Hash("bob-pw", Iterations);
    public static readonly string AdminPasswordHash = PasswordHasher.Hash("admin-pw", Iterations);

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "proxy-directory-" + Guid.NewGuid().ToString("N"));

    public DirectoryFixture()
    {
        System.IO.Directory.CreateDirectory(_folder);
        FilePath = Path.Combine(_folder, "users.json");
    }

    public string FilePath { get; }

    public ManualTimeProvider Time { get; } = new();

    public RecordingLogger<FileUserDirectory> Logger { get; } = new();

    /// <summary>Hashes passed to the password check, in order.</summary>
    public List<string> VerifiedHashes { get; } = [];

    public static object Alice(bool disabled = false, string database = "DB2013", string? hash = null) => new
    {
        UserPrincipalName = "alice@contoso.lab",
        Aliases = new[] { "ali" },
        PasswordHash = hash ?? AlicePasswordHash,
        Database = database,
        Privileged = false,
        Disabled = disabled,
    };

    public static object Bob() => new
    {
        UserPrincipalName = "bob@contoso.lab",
        PasswordHash = BobPasswordHash,
        Database = "DB2010",
    };

    public static object Admin() => new
    {
        UserPrincipalName = "Administrator@contoso.lab",
        PasswordHash = AdminPasswordHash,
        Database = "DB2013",
        Privileged = true,
    };

    public void WriteUsers(params object[] users) => Write(JsonSerializer.Serialize(new { NetBiosDomain = "CONTOSO", Users = users }));

    public void Write(string json) => File.WriteAllText(FilePath, json);

    public FileUserDirectory Create(TimeSpan? cacheTimeToLive = null) => new(
        FilePath,
        Time,
        Logger,
        cacheTimeToLive ?? FileUserDirectory.DefaultSuccessCacheTimeToLive,
        (password, hash) =>
        {
            lock (VerifiedHashes)
            {
                VerifiedHashes.Add(hash);
            }

            return PasswordHasher.Verify(password, hash);
        });

    public DirectoryFileException LoadFails(string json)
    {
        Write(json);
        return Assert.Throws<DirectoryFileException>(() => Create());
    }

    public IEnumerable<(LogLevel Level, EventId EventId, string Message)> LogEntries(int eventId) =>
        Logger.Entries.Where(e => e.EventId.Id == eventId);

    public void Dispose() => System.IO.Directory.Delete(_folder, recursive: true);
}
