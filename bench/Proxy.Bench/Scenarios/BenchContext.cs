using Proxy.Bench.Report;
using Proxy.Bench.Setup;

namespace Proxy.Bench.Scenarios;

/// <summary>What every scenario works with: the running systems, the mode's bounds, the results so far, the output.</summary>
internal sealed class BenchContext(BenchLab lab, BenchSettings settings, Results results, TextWriter output, IReadOnlySet<string>? systems = null)
{
    /// <summary>
    /// Whether a route's system was selected (--systems); direct always is, as every ratio needs it.
    /// Routes of other systems are left out of the run and shown as n/a.
    /// </summary>
    public bool Selected(Route route) =>
        systems is null || route.System is null || route.System.Name == MailSystem.Direct || systems.Contains(route.System.Name);

    public const string NotSelected = "not selected (--systems)";

    public BenchLab Lab { get; } = lab;

    public BenchSettings Settings { get; } = settings;

    public Results Results { get; } = results;

    public MailSystem System(string name) => Lab.Systems[name];

    public void Print(TextTable table)
    {
        output.WriteLine(table.Render());
        output.Flush();
    }

    public void Progress(string message)
    {
        Console.Error.WriteLine($"bench: {DateTime.Now:HH:mm:ss} {message}");
    }
}
