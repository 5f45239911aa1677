using System.Diagnostics;
using Proxy.Bench;
using Proxy.Bench.Report;
using Proxy.Bench.Scenarios;
using Proxy.Bench.Setup;

// bench/run.sh builds and calls this; see that script for the options.
var usage = """
    usage: Proxy.Bench --proxy-dll PATH --run-dir DIR [--short|--full] [--json FILE] [--scenarios login,bulk,noop,idle]
                       [--systems proxy,nginx,dovecot-proxy,haproxy] (direct is always measured)
                       [--proxy-env NAME=VALUE]...   (e.g. DOTNET_gcServer=0: try a runtime setting without a rebuild)
    """;
var settings = BenchSettings.Short;
string? json = null, proxyDll = null, runDirectory = null;
var scenarios = new List<string> { "login", "bulk", "noop", "idle" };
var proxyEnvironment = new Dictionary<string, string>();
HashSet<string>? systems = null;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--short":
            settings = BenchSettings.Short;
            break;
        case "--full":
            settings = BenchSettings.Full;
            break;
        case "--json" when i + 1 < args.Length:
            json = args[++i];
            break;
        case "--proxy-dll" when i + 1 < args.Length:
            proxyDll = Path.GetFullPath(args[++i]);
            break;
        case "--run-dir" when i + 1 < args.Length:
            runDirectory = Path.GetFullPath(args[++i]);
            break;
        case "--proxy-env" when i + 1 < args.Length && args[i + 1].Contains('=', StringComparison.Ordinal):
            var (name, value) = (args[++i].Split('=', 2)[0], args[i].Split('=', 2)[1]);
            proxyEnvironment[name] = value;
            break;
        case "--systems" when i + 1 < args.Length:
            systems = [.. args[++i].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
            break;
        case "--scenarios" when i + 1 < args.Length:
            scenarios = [.. args[++i].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
            break;
        default:
            Console.Error.WriteLine($"unknown or incomplete argument '{args[i]}'\n{usage}");
            return 64;
    }
}

if (proxyDll is null || runDirectory is null || !File.Exists(proxyDll) || scenarios.Except(["login", "bulk", "noop", "idle"]).Any())
{
    Console.Error.WriteLine(usage);
    return 64;
}

var clock = Stopwatch.StartNew();
using var stop = new CancellationTokenSource();

// Every run stops by itself: a generous bound over the mode's budget (3 and 15 minutes).
stop.CancelAfter(settings == BenchSettings.Full ? TimeSpan.FromMinutes(25) : TimeSpan.FromMinutes(8));
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};

var command = Environment.GetEnvironmentVariable("BENCH_COMMAND") ?? $"bench/run.sh --{settings.Mode}{(json is null ? "" : $" --json {json}")}";
var info = RunInfo.Collect(command);
Console.WriteLine(info.Render());
if (proxyEnvironment.Count > 0)
{
    Console.WriteLine($"  proxy environment: {string.Join(' ', proxyEnvironment.Select(e => $"{e.Key}={e.Value}"))}\n");
}

var results = new Results();
var failed = false;
try
{
    await using var lab = await BenchLab.StartAsync(runDirectory, proxyDll, proxyEnvironment, stop.Token);
    var context = new BenchContext(lab, settings, results, Console.Out, systems);
    context.Progress($"{settings.Mode} mode; systems up after {clock.Elapsed.TotalSeconds:0} s");
    if (scenarios.Contains("login"))
    {
        await LoginRateScenario.RunAsync(context, stop.Token);
    }

    if (scenarios.Contains("bulk") || scenarios.Contains("noop"))
    {
        // The proxy may have been restarted (cold logins): fill its login cache again, untimed.
        await LoginRateScenario.WarmProxyCacheAsync(context, stop.Token);
    }

    if (scenarios.Contains("bulk"))
    {
        await BulkScenario.RunAsync(context, stop.Token);
    }

    if (scenarios.Contains("noop"))
    {
        await NoopScenario.RunAsync(context, stop.Token);
    }

    if (scenarios.Contains("idle"))
    {
        await IdleScenario.RunAsync(context, stop.Token);
    }
}
catch (OperationCanceledException) when (stop.IsCancellationRequested)
{
    Console.Error.WriteLine("bench: stopped (interrupted or over its time bound); the figures so far follow");
}
catch (Exception e)
{
    // Every server is stopped by now (await using); say what broke, then report what was measured.
    Console.Error.WriteLine($"bench: failed: {e}");
    failed = true;
}

var targets = Targets.Evaluate(results, settings);
Console.WriteLine(Targets.Table(targets).Render());
var loadAtEnd = RunInfo.LoadAverage();
Console.WriteLine($"Finished in {clock.Elapsed.TotalSeconds:0} s; load average at the end: {loadAtEnd}.");
if (json is not null)
{
    JsonReport.Write(json, info, settings, results, targets, clock.Elapsed, loadAtEnd);
    Console.WriteLine($"JSON: {Path.GetFullPath(json)}");
}

return failed ? 2 : stop.IsCancellationRequested ? 1 : 0;
