using System.Diagnostics;
using Proxy.Bench;
using Proxy.Bench.Report;
using Proxy.Bench.Scenarios;
using Proxy.Bench.Setup;

// bench/run.sh builds and calls this; see that script (or BenchArguments.Usage) for the options.
var arguments = BenchArguments.Parse(args);
if (arguments.Error is not null || !File.Exists(arguments.ProxyDll))
{
    Console.Error.WriteLine(arguments.Error ?? BenchArguments.Usage);
    return 64;
}

var (settings, json, proxyDll, runDirectory) = (arguments.Settings, arguments.Json, arguments.ProxyDll!, arguments.RunDirectory!);
var (scenarios, proxyEnvironment, systems) = (arguments.Scenarios, arguments.ProxyEnvironment, arguments.Systems);

var clock = Stopwatch.StartNew();
using var stop = new CancellationTokenSource();

// Every run stops by itself: a generous bound over the mode's budget (3 and 15 minutes).
stop.CancelAfter(settings.IsFull ? TimeSpan.FromMinutes(25) : TimeSpan.FromMinutes(8));
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
    var context = new BenchContext(lab, settings, results, Console.Out, systems, arguments.Routes);
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
