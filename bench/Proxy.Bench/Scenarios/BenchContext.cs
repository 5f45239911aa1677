using Proxy.Bench.Report;
using Proxy.Bench.Setup;

namespace Proxy.Bench.Scenarios;

/// <summary>What every scenario works with: the running systems, the mode's bounds, the results so far, the output.</summary>
internal sealed class BenchContext(BenchLab lab, BenchSettings settings, Results results, TextWriter output, IReadOnlySet<string>? systems = null, IReadOnlySet<string>? routes = null)
{
    /// <summary>
    /// Whether a route's system (--systems) and the route itself (--routes, by label) were selected;
    /// direct always is, as every ratio needs it. Other routes are left out of the run and shown as n/a.
    /// </summary>
    public bool Selected(Route route) => IsSelected(route, systems, routes);

    public static bool IsSelected(Route route, IReadOnlySet<string>? systems, IReadOnlySet<string>? routes) =>
        route.System is null || route.System.Name == MailSystem.Direct
        || ((systems is null || systems.Contains(route.System.Name)) && (routes is null || routes.Contains(route.Label)));

    public const string NotSelected = "not selected (--systems, --routes)";

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
