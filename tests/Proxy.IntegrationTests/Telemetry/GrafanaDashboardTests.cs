using System.Text.Json;
using System.Text.RegularExpressions;

namespace Proxy.IntegrationTests.Telemetry;

/// <summary>
/// Issue 5: deploy/grafana/proxy-dashboard.json is importable JSON whose every query asks for
/// series the proxy really exports, under the names the Prometheus exporter gives them.
/// </summary>
public sealed partial class GrafanaDashboardTests(TelemetryFixture fixture) : IClassFixture<TelemetryFixture>
{
    private static readonly HashSet<string> PromQlKeywords =
        ["by", "without", "on", "ignoring", "group_left", "group_right", "bool", "and", "or", "unless", "offset", "inf", "nan"];

    [Fact]
    public void Dashboard_IsImportableJson_WithPanelsQueryingPrometheus()
    {
        using var dashboard = JsonDocument.Parse(File.ReadAllText(DashboardPath()));
        var root = dashboard.RootElement;

        Assert.Equal("mail-proxy", root.GetProperty("uid").GetString());
        Assert.False(string.IsNullOrWhiteSpace(root.GetProperty("title").GetString()));
        Assert.True(root.GetProperty("schemaVersion").GetInt32() >= 36);
        var panels = root.GetProperty("panels").EnumerateArray().Where(p => p.GetProperty("type").GetString() != "row").ToList();
        Assert.True(panels.Count >= 10, $"{panels.Count} panels");
        Assert.All(panels, panel =>
        {
            Assert.Equal("${datasource}", panel.GetProperty("datasource").GetProperty("uid").GetString());
            Assert.NotEmpty(panel.GetProperty("targets").EnumerateArray());
        });
        Assert.Equal(panels.Count, panels.Select(p => p.GetProperty("id").GetInt32()).Distinct().Count());
    }

    [Fact]
    public async Task Dashboard_EveryQueriedMetric_IsOneTheProxyExports()
    {
        var queried = Expressions(File.ReadAllText(DashboardPath())).SelectMany(MetricNames).ToHashSet();
        await using var proxy = await MetricsScrape.BusyProxyAsync(fixture);

        var (_, text) = await MetricsScrape.GetAsync(proxy);

        var exported = MetricsScrape.SampleNames(text);
        var unknown = queried.Where(name => !exported.Contains(name)).ToList();
        Assert.True(unknown.Count == 0, $"queried but not exported: {string.Join(", ", unknown)}");
        // Every series the proxy itself exports has a panel (a histogram's _sum and _count go with its _bucket).
        var unused = MetricsEndpointTests.ProxySeries
            .Where(s => !queried.Contains(s) && !queried.Contains(Regex.Replace(s, "_(sum|count)$", "_bucket")))
            .ToList();
        Assert.True(unused.Count == 0, $"exported but on no panel: {string.Join(", ", unused)}");
    }

    [Fact]
    public void MetricNames_PromQlExpression_MetricsOnlyNotFunctionsLabelsOrVariables()
    {
        var names = MetricNames("histogram_quantile(0.99, sum by (le, server) (rate(proxy_x_bucket{instance=~\"$instance\",a!=\"b c\"}[$__rate_interval]))) / on (server) group_left proxy_y offset 5m");

        Assert.Equal(["proxy_x_bucket", "proxy_y"], names.Order());
    }

    /// <summary>Every PromQL expression in the dashboard: panel targets and the variables' <c>label_values(metric, label)</c>.</summary>
    private static IEnumerable<string> Expressions(string json)
    {
        using var dashboard = JsonDocument.Parse(json);
        var root = dashboard.RootElement;
        foreach (var panel in root.GetProperty("panels").EnumerateArray())
        {
            if (panel.TryGetProperty("targets", out var targets))
            {
                foreach (var target in targets.EnumerateArray())
                {
                    yield return target.GetProperty("expr").GetString()!;
                }
            }
        }

        foreach (var variable in root.GetProperty("templating").GetProperty("list").EnumerateArray())
        {
            if (variable.GetProperty("type").GetString() == "query")
            {
                var match = LabelValues().Match(variable.GetProperty("definition").GetString()!);
                Assert.True(match.Success, "a query variable that is not label_values(metric, label)");
                yield return match.Groups["metric"].Value;
            }
        }
    }

    /// <summary>The metric names in a PromQL expression: identifiers left once strings, label matchers, ranges, grouping clauses, variables, functions and keywords are gone.</summary>
    private static IEnumerable<string> MetricNames(string expression)
    {
        var stripped = StringLiteral().Replace(expression, " ");
        stripped = LabelMatchers().Replace(stripped, " ");
        stripped = RangeSelector().Replace(stripped, " ");
        stripped = GroupingClause().Replace(stripped, " ");
        stripped = Variable().Replace(stripped, " ");
        return Identifier().Matches(stripped)
            .Where(m => !PromQlKeywords.Contains(m.Value.ToLowerInvariant()))
            .Where(m => !FollowedByParenthesis(stripped, m.Index + m.Length))
            .Select(m => m.Value)
            .Distinct();
    }

    private static bool FollowedByParenthesis(string text, int index)
    {
        while (index < text.Length && char.IsWhiteSpace(text[index]))
        {
            index++;
        }

        return index < text.Length && text[index] == '(';
    }

    private static string DashboardPath()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Proxy.sln")))
            {
                return Path.Combine(directory.FullName, "deploy", "grafana", "proxy-dashboard.json");
            }
        }

        throw new FileNotFoundException("Proxy.sln not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex("\"(?:[^\"\\\\]|\\\\.)*\"")]
    private static partial Regex StringLiteral();

    [GeneratedRegex(@"\{[^}]*\}")]
    private static partial Regex LabelMatchers();

    [GeneratedRegex(@"\[[^\]]*\]")]
    private static partial Regex RangeSelector();

    [GeneratedRegex(@"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", RegexOptions.IgnoreCase)]
    private static partial Regex GroupingClause();

    [GeneratedRegex(@"\$\{?\w+\}?")]
    private static partial Regex Variable();

    [GeneratedRegex(@"(?<![\w.])[a-zA-Z_:][a-zA-Z0-9_:]*")]
    private static partial Regex Identifier();

    [GeneratedRegex(@"^label_values\(\s*(?<metric>[a-zA-Z_:][a-zA-Z0-9_:]*)\s*,\s*\w+\s*\)$")]
    private static partial Regex LabelValues();
}
