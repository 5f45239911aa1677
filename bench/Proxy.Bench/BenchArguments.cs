namespace Proxy.Bench;

/// <summary>The command line of Proxy.Bench (bench/run.sh passes its options through); <see cref="Error"/> set when it is unusable.</summary>
internal sealed record BenchArguments
{
    public const string Usage = """
        usage: Proxy.Bench --proxy-dll PATH --run-dir DIR [--short|--full] [--json FILE] [--scenarios login,bulk,noop,idle]
                           [--systems proxy,nginx,dovecot-proxy,haproxy] (direct is always measured)
                           [--routes 'proxy plain->plain,proxy TLS->TLS'] (only these rows, by label; direct always)
                           [--idle-sizes 9000] (idle scenario: only these N, for every system)
                           [--cell-seconds 30] (login and bulk cells measure this long: time to attach a profiler)
                           [--idle-settle 60] (idle sessions wait this long before the memory sample: time for a heap dump)
                           [--proxy-env NAME=VALUE]...   (e.g. DOTNET_gcServer=0: try a runtime setting without a rebuild)
        """;

    public static readonly IReadOnlyList<string> AllScenarios = ["login", "bulk", "noop", "idle"];

    public BenchSettings Settings { get; init; } = BenchSettings.Short;

    public string? Json { get; init; }

    public string? ProxyDll { get; init; }

    public string? RunDirectory { get; init; }

    public IReadOnlyList<string> Scenarios { get; init; } = AllScenarios;

    public IReadOnlyDictionary<string, string> ProxyEnvironment { get; init; } = new Dictionary<string, string>();

    /// <summary>--systems; null = all.</summary>
    public IReadOnlySet<string>? Systems { get; init; }

    /// <summary>--routes: row labels (case-insensitive); null = all.</summary>
    public IReadOnlySet<string>? Routes { get; init; }

    public string? Error { get; init; }

    public static BenchArguments Parse(IReadOnlyList<string> args)
    {
        var parsed = new BenchArguments();
        var environment = new Dictionary<string, string>();
        IReadOnlyList<int>? idleSizes = null;
        TimeSpan? cell = null;
        TimeSpan? settle = null;
        for (var i = 0; i < args.Count; i++)
        {
            var hasValue = i + 1 < args.Count;
            switch (args[i])
            {
                case "--short":
                    parsed = parsed with { Settings = BenchSettings.Short };
                    break;
                case "--full":
                    parsed = parsed with { Settings = BenchSettings.Full };
                    break;
                case "--json" when hasValue:
                    parsed = parsed with { Json = args[++i] };
                    break;
                case "--proxy-dll" when hasValue:
                    parsed = parsed with { ProxyDll = Path.GetFullPath(args[++i]) };
                    break;
                case "--run-dir" when hasValue:
                    parsed = parsed with { RunDirectory = Path.GetFullPath(args[++i]) };
                    break;
                case "--proxy-env" when hasValue && args[i + 1].Contains('=', StringComparison.Ordinal):
                    var pair = args[++i].Split('=', 2);
                    environment[pair[0]] = pair[1];
                    break;
                case "--systems" when hasValue:
                    parsed = parsed with { Systems = List(args[++i]).ToHashSet() };
                    break;
                case "--routes" when hasValue:
                    parsed = parsed with { Routes = List(args[++i]).ToHashSet(StringComparer.OrdinalIgnoreCase) };
                    break;
                case "--scenarios" when hasValue:
                    parsed = parsed with { Scenarios = List(args[++i]) };
                    break;
                case "--idle-sizes" when hasValue:
                    var sizes = List(args[++i]).Select(s => int.TryParse(s, out var n) && n is > 0 and <= 9_000 ? n : 0).ToList();
                    if (sizes.Count == 0 || sizes.Contains(0))
                    {
                        return new BenchArguments { Error = $"--idle-sizes '{args[i]}': session counts from 1 to 9,000 (the open-files limit), comma-separated\n{Usage}" };
                    }

                    idleSizes = sizes;
                    break;
                case "--cell-seconds" when hasValue:
                    if (!double.TryParse(args[++i], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var seconds) || seconds is < 0.1 or > 300)
                    {
                        return new BenchArguments { Error = $"--cell-seconds '{args[i]}': from 0.1 to 300\n{Usage}" };
                    }

                    cell = TimeSpan.FromSeconds(seconds);
                    break;
                case "--idle-settle" when hasValue:
                    if (!double.TryParse(args[++i], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var settleSeconds) || settleSeconds is < 0 or > 600)
                    {
                        return new BenchArguments { Error = $"--idle-settle '{args[i]}': from 0 to 600\n{Usage}" };
                    }

                    settle = TimeSpan.FromSeconds(settleSeconds);
                    break;
                default:
                    return new BenchArguments { Error = $"unknown or incomplete argument '{args[i]}'\n{Usage}" };
            }
        }

        if (parsed.ProxyDll is null || parsed.RunDirectory is null)
        {
            return new BenchArguments { Error = Usage };
        }

        if (parsed.Scenarios.Except(AllScenarios).FirstOrDefault() is { } unknown)
        {
            return new BenchArguments { Error = $"unknown scenario '{unknown}'\n{Usage}" };
        }

        // The mode's other bounds stay; only the idle rows' session counts change (both proxy and peers).
        var settings = idleSizes is null ? parsed.Settings : parsed.Settings with { IdleSizes = idleSizes, IdlePeerSizes = idleSizes };

        // Longer cells for profiling: the count bounds grow with the time so the time decides (still bounded).
        if (cell is { } length)
        {
            var scale = Math.Max(1, length / settings.BulkCell);
            settings = settings with
            {
                LoginCell = length,
                BulkCell = length,
                BulkMaxFetches = (int)Math.Ceiling(settings.BulkMaxFetches * scale),
            };
        }

        if (settle is { } wait)
        {
            settings = settings with { IdleSettle = wait };
        }

        return parsed with { Settings = settings, ProxyEnvironment = environment };
    }

    private static List<string> List(string value) =>
        [.. value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
}
