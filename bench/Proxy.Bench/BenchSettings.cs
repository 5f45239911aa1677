namespace Proxy.Bench;

/// <summary>How much a run measures. Every loop of every scenario is bounded by a count and a time.</summary>
internal sealed record BenchSettings
{
    public required string Mode { get; init; }

    /// <summary>Full mode, whatever was overridden (--idle-sizes): the full-only rows are measured.</summary>
    public bool IsFull => Mode == "full";

    /// <summary>Measuring time of one login-rate cell (system × protocol × concurrency), after a warm-up.</summary>
    public required TimeSpan LoginCell { get; init; }

    public int LoginCellMaxLogins { get; init; } = 50_000;

    public IReadOnlyList<int> Concurrency { get; init; } = [1, 16, 64];

    /// <summary>Cold-cache logins (a PBKDF2 verification each) per concurrency; absent = not measured in this mode.</summary>
    public required IReadOnlyDictionary<int, int> ColdLogins { get; init; }

    public required TimeSpan BulkCell { get; init; }

    public required int BulkMaxFetches { get; init; }

    public required int NoopRoundTrips { get; init; }

    public required TimeSpan NoopMax { get; init; }

    /// <summary>Idle session counts for the proxy's routes.</summary>
    public required IReadOnlyList<int> IdleSizes { get; init; }

    /// <summary>Idle session counts for the peers' routes.</summary>
    public required IReadOnlyList<int> IdlePeerSizes { get; init; }

    public required TimeSpan IdleSettle { get; init; }

    /// <summary>Longest any single operation (a login, a fetch, opening one idle session) may take.</summary>
    public TimeSpan OperationTimeout { get; init; } = TimeSpan.FromSeconds(30);

    public static BenchSettings Short { get; } = new()
    {
        Mode = "short",
        LoginCell = TimeSpan.FromSeconds(0.8),
        ColdLogins = new Dictionary<int, int> { [1] = 3, [16] = 16 },
        BulkCell = TimeSpan.FromSeconds(1),
        BulkMaxFetches = 30,
        NoopRoundTrips = 2_000,
        NoopMax = TimeSpan.FromSeconds(5),
        IdleSizes = [1_000],
        IdlePeerSizes = [1_000],
        IdleSettle = TimeSpan.FromSeconds(2),
    };

    public static BenchSettings Full { get; } = new()
    {
        Mode = "full",
        LoginCell = TimeSpan.FromSeconds(2.5),
        ColdLogins = new Dictionary<int, int> { [1] = 5, [16] = 32, [64] = 64 },
        BulkCell = TimeSpan.FromSeconds(4),
        BulkMaxFetches = 150,
        NoopRoundTrips = 10_000,
        NoopMax = TimeSpan.FromSeconds(10),
        IdleSizes = [1_000, 9_000],
        IdlePeerSizes = [1_000, 9_000],
        IdleSettle = TimeSpan.FromSeconds(5),
    };
}
