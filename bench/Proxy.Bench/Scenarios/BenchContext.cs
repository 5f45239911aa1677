using Proxy.Bench.Report;
using Proxy.Bench.Setup;

namespace Proxy.Bench.Scenarios;

/// <summary>What every scenario works with: the running systems, the mode's bounds, the results so far, the output.</summary>
internal sealed class BenchContext(BenchLab lab, BenchSettings settings, Results results, TextWriter output)
{
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
