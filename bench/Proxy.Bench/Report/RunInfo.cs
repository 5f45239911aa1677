using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace Proxy.Bench.Report;

/// <summary>Where and with what a run was measured: printed first and written into the JSON.</summary>
internal sealed record RunInfo(
    string Date,
    string Command,
    int Cores,
    double MemoryGiB,
    string OperatingSystem,
    string Kernel,
    string DotNet,
    IReadOnlyDictionary<string, string> Versions,
    string LoadAverageAtStart)
{
    public static RunInfo Collect(string command) => new(
        DateTimeOffset.Now.ToString("yyyy-MM-dd HH:mm:ss zzz", System.Globalization.CultureInfo.InvariantCulture),
        command,
        Environment.ProcessorCount,
        Math.Round(MemTotalKib() / 1024.0 / 1024.0, 1),
        OsRelease(),
        KernelRelease(),
        RuntimeInformation.FrameworkDescription,
        new Dictionary<string, string>
        {
            ["dovecot"] = Output("dovecot", "--version"),
            ["nginx"] = Output("nginx", "-v"),
            ["haproxy"] = Output("haproxy", "-v").Split('\n')[0],
        },
        LoadAverage());

    public static string LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "unknown";
        }
    }

    public string Render()
    {
        var text = new StringBuilder();
        text.AppendLine($"Proxy benchmark, {Date}");
        text.AppendLine($"  command : {Command}");
        text.AppendLine($"  machine : {Cores} cores, {MemoryGiB} GiB, {OperatingSystem}, {Kernel}, {DotNet}");
        text.AppendLine($"  peers   : {string.Join("; ", Versions.Select(v => $"{v.Value}"))}");
        text.AppendLine($"  load avg: {LoadAverageAtStart} (1, 5, 15 min) at start; everything (clients, proxies, backend) shares the same cores");
        return text.ToString();
    }

    private static string KernelRelease()
    {
        try
        {
            return "Linux " + File.ReadAllText("/proc/sys/kernel/osrelease").Trim();
        }
        catch (IOException)
        {
            return RuntimeInformation.OSDescription;
        }
    }

    private static long MemTotalKib()
    {
        var line = File.ReadLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
        return line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture);
    }

    private static string OsRelease()
    {
        var line = File.Exists("/etc/os-release") ? File.ReadLines("/etc/os-release").FirstOrDefault(l => l.StartsWith("PRETTY_NAME=", StringComparison.Ordinal)) : null;
        return line?["PRETTY_NAME=".Length..].Trim('"') ?? "unknown";
    }

    private static string Output(string fileName, string argument)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(fileName, argument) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false })!;
            var text = (process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd()).Trim();
            process.WaitForExit();
            return $"{fileName} {text.Replace($"{fileName} version: ", "", StringComparison.Ordinal)}";
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return $"{fileName} not installed";
        }
    }
}
