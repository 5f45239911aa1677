namespace Proxy.Bench.Report;

/// <summary>
/// One figure of a run, as written to the JSON file: which scenario, which variant of it
/// (protocol, concurrency, session count...), which route, which metric. A route that cannot do
/// the scenario has no value and says why.
/// </summary>
internal sealed record Measurement(string Scenario, string Variant, string Route, string Metric, double? Value, string? NotApplicable = null, string? Note = null);

/// <summary>Every measurement of a run, looked up by the tables and the target checks.</summary>
internal sealed class Results
{
    private readonly List<Measurement> _all = [];

    public IReadOnlyList<Measurement> All => _all;

    public void Add(string scenario, string variant, string route, string metric, double? value, string? note = null) =>
        _all.Add(new Measurement(scenario, variant, route, metric, value, null, note));

    public void NotApplicable(string scenario, string variant, string route, string metric, string reason) =>
        _all.Add(new Measurement(scenario, variant, route, metric, null, reason));

    public Measurement? Find(string scenario, string variant, string route, string metric) =>
        _all.LastOrDefault(m => m.Scenario == scenario && m.Variant == variant && m.Route == route && m.Metric == metric);

    public double? Value(string scenario, string variant, string route, string metric) => Find(scenario, variant, route, metric)?.Value;
}
