using System.Diagnostics;
using System.Globalization;

namespace Proxy.Bench.Measure;

/// <summary>CPU time and resident memory of a set of processes (each root and everything below it).</summary>
internal readonly record struct ProcessSample(double CpuSeconds, long RssKib, int Processes);

/// <summary>Reads /proc for a system's processes: a master and its workers are summed.</summary>
internal static class ProcessSampler
{
    private static readonly Lazy<int> TicksPerSecond = new(ReadTicksPerSecond);

    public static ProcessSample Sample(IReadOnlyCollection<int> roots)
    {
        if (roots.Count == 0)
        {
            return new ProcessSample(0, 0, 0);
        }

        var all = new List<(int Pid, int ParentPid)>();
        var stats = new Dictionary<int, ProcStat>();
        foreach (var directory in System.IO.Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out _))
            {
                continue;
            }

            if (TryRead(Path.Combine(directory, "stat")) is { } text)
            {
                var stat = ProcText.ParseStat(text);
                all.Add((stat.Pid, stat.ParentPid));
                stats[stat.Pid] = stat;
            }
        }

        long ticks = 0;
        long rss = 0;
        var members = ProcText.WithDescendants(roots, all);
        var count = 0;
        foreach (var pid in members)
        {
            if (!stats.TryGetValue(pid, out var stat))
            {
                continue;
            }

            count++;
            ticks += stat.TotalTicks;
            if (TryRead($"/proc/{pid}/status") is { } status)
            {
                rss += ProcText.ParseRssKib(status);
            }
        }

        return new ProcessSample((double)ticks / TicksPerSecond.Value, rss, count);
    }

    private static string? TryRead(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null; // The process exited meanwhile.
        }
    }

    private static int ReadTicksPerSecond()
    {
        try
        {
            using var getconf = Process.Start(new ProcessStartInfo("getconf", "CLK_TCK") { RedirectStandardOutput = true, UseShellExecute = false })!;
            var text = getconf.StandardOutput.ReadToEnd().Trim();
            getconf.WaitForExit();
            return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0 ? value : 100;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return 100; // USER_HZ on every Linux architecture the benchmark runs on.
        }
    }
}
