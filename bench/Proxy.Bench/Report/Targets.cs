using System.Globalization;
using Proxy.Bench.Scenarios;

namespace Proxy.Bench.Report;

/// <summary>One target of issue 6, judged on this run's figures; <see cref="Met"/> is null when a figure is missing.</summary>
internal sealed record TargetCheck(string Target, string Measured, bool? Met);

/// <summary>The targets, each checked against the same run's measurements.</summary>
internal static class Targets
{
    public static IReadOnlyList<TargetCheck> Evaluate(Results r, BenchSettings settings)
    {
        var checks = new List<TargetCheck>();
        string[] protocols = ["IMAP", "POP3"];

        // Bulk, plaintext both sides: >= 0.85 x direct, and >= nginx and Dovecot proxy.
        var vsDirect = protocols.Select(p => (p, Ratio(r.Value(BulkScenario.Name, $"plaintext {p}", "proxy", "mb_per_s"), r.Value(BulkScenario.Name, $"plaintext {p}", "direct", "mb_per_s")))).ToList();
        checks.Add(new("Bulk throughput, plaintext both sides: >= 0.85 x direct",
            string.Join(", ", vsDirect.Select(x => $"{x.p} {X(x.Item2)}")), All(vsDirect.Select(x => x.Item2), v => v >= 0.85)));
        var vsPeers = protocols.SelectMany(p => new[] { "nginx", "dovecot-proxy" }.Select(peer =>
            ($"{p} vs {peer}", Ratio(r.Value(BulkScenario.Name, $"plaintext {p}", "proxy", "mb_per_s"), r.Value(BulkScenario.Name, $"plaintext {p}", peer, "mb_per_s"))))).ToList();
        checks.Add(new("Bulk throughput, plaintext: >= nginx's and >= Dovecot proxy's",
            string.Join(", ", vsPeers.Select(x => $"{x.Item1} {X(x.Item2)}")), All(vsPeers.Select(x => x.Item2), v => v >= 1.0)));

        // Login rate: >= 1.2 x nginx and Dovecot proxy at the same concurrency, on the same backend leg (plaintext).
        foreach (var route in new[] { "proxy TLS->plain", "proxy TLS->TLS", LoginRateScenario.ColdRoute })
        {
            var ratios = new List<(string, double?)>();
            foreach (var p in protocols)
            {
                foreach (var n in settings.Concurrency)
                {
                    var variant = $"{p} c={n}";
                    var proxy = r.Value(LoginRateScenario.Name, variant, route, "logins_per_s");
                    if (proxy is null && route == LoginRateScenario.ColdRoute)
                    {
                        continue;
                    }

                    var worst = new[] { "nginx TLS->plain", "dovecot-proxy TLS->plain" }
                        .Select(peer => Ratio(proxy, r.Value(LoginRateScenario.Name, variant, peer, "logins_per_s")))
                        .Min();
                    ratios.Add(($"{p} c={n}", worst));
                }
            }

            var qualifier = route switch
            {
                "proxy TLS->plain" => "cache warm, same plaintext backend leg as the peers",
                "proxy TLS->TLS" => "cache warm, TLS to the backend (the peers: plaintext)",
                _ => "cold cache: PBKDF2 600,000 iterations per login",
            };
            checks.Add(new($"Login rate >= 1.2 x nginx and Dovecot proxy ({qualifier})",
                "lower of the two ratios: " + string.Join(", ", ratios.Select(x => $"{x.Item1} {X(x.Item2)}")), All(ratios.Select(x => x.Item2), v => v >= 1.2)));
        }

        // NOOP: added p50 < 100 us over direct.
        var added = protocols.Select(p => (p, Diff(r.Value(NoopScenario.Name, $"plaintext {p}", "proxy", "p50_us"), r.Value(NoopScenario.Name, $"plaintext {p}", "direct", "p50_us")))).ToList();
        checks.Add(new("Added NOOP round trip, p50 < 100 us over direct (plaintext)",
            string.Join(", ", added.Select(x => $"{x.p} {Us(x.Item2)}")), All(added.Select(x => x.Item2), v => v < 100)));
        var addedTls = protocols.Select(p => (p, Diff(r.Value(NoopScenario.Name, $"TLS {p}", "proxy TLS->TLS", "p50_us"), r.Value(NoopScenario.Name, $"TLS {p}", "direct", "p50_us")))).ToList();
        checks.Add(new("Added NOOP round trip, p50 < 100 us over direct (TLS->TLS; informative)",
            string.Join(", ", addedTls.Select(x => $"{x.p} {Us(x.Item2)}")), All(addedTls.Select(x => x.Item2), v => v < 100)));

        // Idle: < 16 KiB per session at the largest N, every session alive.
        var largest = settings.IdleSizes.Max();
        foreach (var route in new[] { "proxy plain->plain", "proxy TLS->TLS", "proxy STARTTLS->TLS" })
        {
            var variant = IdleScenario.Variant(largest);
            var kib = r.Value(IdleScenario.Name, variant, route, "kib_per_session");
            var alive = r.Value(IdleScenario.Name, variant, route, "sessions_alive");
            if (kib is null && r.Find(IdleScenario.Name, variant, route, "kib_per_session")?.NotApplicable is { } reason && reason.StartsWith("full mode only", StringComparison.Ordinal))
            {
                continue;
            }

            bool? met = kib is null || alive is null ? null : kib < 16 && alive >= largest;
            checks.Add(new($"Idle IMAP session < 16 KiB of proxy memory, all alive ({route}, N={largest:N0}; the issue says 10,000)",
                kib is null ? "n/a" : $"{kib:0.0} KiB/session, {alive:0}/{largest} alive", met));
        }

        // CPU per GB: < 1.5 x HAProxy's.
        var cpu = protocols.Select(p => (p, Ratio(r.Value(BulkScenario.Name, $"plaintext {p}", "proxy", "cpu_s_per_gb"), r.Value(BulkScenario.Name, $"plaintext {p}", "haproxy", "cpu_s_per_gb")))).ToList();
        checks.Add(new("CPU s/GB relayed < 1.5 x HAProxy's (plaintext)",
            string.Join(", ", cpu.Select(x => $"{x.p} {X(x.Item2)}")), All(cpu.Select(x => x.Item2), v => v < 1.5)));
        return checks;
    }

    public static TextTable Table(IReadOnlyList<TargetCheck> checks)
    {
        var table = new TextTable("Targets (issue 6), judged on this run", "target", "measured", "met") { LeftAligned = true };
        foreach (var check in checks)
        {
            table.Row(check.Target, check.Measured, check.Met switch { true => "met", false => "MISSED", null => "n/a" });
        }

        return table;
    }

    private static double? Ratio(double? value, double? baseline) => value is { } v && baseline is { } b && b > 0 ? v / b : null;

    private static double? Diff(double? value, double? baseline) => value is { } v && baseline is { } b ? v - b : null;

    private static bool? All(IEnumerable<double?> values, Func<double, bool> test)
    {
        var list = values.ToList();
        return list.Count == 0 || list.Any(v => v is null) ? null : list.All(v => test(v!.Value));
    }

    private static string X(double? ratio) => ratio is { } v ? v.ToString("0.00", CultureInfo.InvariantCulture) + "x" : "n/a";

    private static string Us(double? micro) => micro is { } v ? v.ToString("0", CultureInfo.InvariantCulture) + " us" : "n/a";
}
