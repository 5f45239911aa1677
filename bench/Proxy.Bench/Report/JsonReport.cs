using System.Text.Json;
using System.Text.Json.Serialization;

namespace Proxy.Bench.Report;

/// <summary>The machine-readable result of a run (--json FILE), so runs can be compared.</summary>
internal static class JsonReport
{
    private static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static void Write(string path, RunInfo info, BenchSettings settings, Results results, IReadOnlyList<TargetCheck> targets, TimeSpan duration, string loadAtEnd)
    {
        var document = new
        {
            benchmark = "Proxy bench (bench/run.sh)",
            schema = 1,
            info,
            loadAverageAtEnd = loadAtEnd,
            durationSeconds = Math.Round(duration.TotalSeconds, 1),
            settings,
            measurements = results.All,
            targets,
        };
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(directory))
        {
            System.IO.Directory.CreateDirectory(directory);
        }

        File.WriteAllText(path, JsonSerializer.Serialize(document, Options) + "\n");
    }
}
