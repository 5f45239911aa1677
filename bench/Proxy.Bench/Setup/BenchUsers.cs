namespace Proxy.Bench.Setup;

/// <summary>A mailbox of the run: the same name and password on the backend, the proxy's directory and the Dovecot proxy.</summary>
internal sealed record BenchUser(string Name, string Database, bool BulkMessage);

/// <summary>
/// The run's users. Two databases on the same Dovecot: <see cref="TlsDatabase"/>'s server offers
/// SSL, STARTTLS and plaintext (so an encrypted client is relayed over TLS, as Exchange does),
/// <see cref="PlainDatabase"/>'s server plaintext only (so the proxy can be compared with nginx,
/// whose mail module never speaks TLS to a backend, on the same backend leg).
/// </summary>
internal static class BenchUsers
{
    public const string Domain = "bench.test";
    public const string Password = "Bench-Passw0rd";
    public const string TlsDatabase = "DB-TLS";
    public const string PlainDatabase = "DB-PLAIN";

    /// <summary>Enough never-used users for every cold-cache login of a full run (5 + 32 + 64).</summary>
    public const int ColdUserCount = 112;

    public const int WarmUserCount = 8;

    public static readonly IReadOnlyList<BenchUser> WarmTls = Numbered("warm-tls", WarmUserCount, TlsDatabase);
    public static readonly IReadOnlyList<BenchUser> WarmPlain = Numbered("warm-plain", WarmUserCount, PlainDatabase);
    public static readonly IReadOnlyList<BenchUser> Cold = Numbered("cold", ColdUserCount, TlsDatabase);
    public static readonly BenchUser BulkTls = new($"bulk-tls@{Domain}", TlsDatabase, true);
    public static readonly BenchUser BulkPlain = new($"bulk-plain@{Domain}", PlainDatabase, true);
    public static readonly BenchUser IdleTls = new($"idle-tls@{Domain}", TlsDatabase, false);
    public static readonly BenchUser IdlePlain = new($"idle-plain@{Domain}", PlainDatabase, false);

    public static IEnumerable<BenchUser> All =>
        WarmTls.Concat(WarmPlain).Concat(Cold).Append(BulkTls).Append(BulkPlain).Append(IdleTls).Append(IdlePlain);

    private static List<BenchUser> Numbered(string prefix, int count, string database) =>
        Enumerable.Range(1, count).Select(i => new BenchUser($"{prefix}-{i:000}@{Domain}", database, false)).ToList();
}
