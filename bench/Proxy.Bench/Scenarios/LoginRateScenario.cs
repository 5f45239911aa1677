using Proxy.Bench.Measure;
using Proxy.Bench.Client;
using Proxy.Bench.Report;
using Proxy.Bench.Setup;

namespace Proxy.Bench.Scenarios;

/// <summary>
/// Scenario 1: whole logins (connect, implicit TLS, log in, SELECT INBOX / STAT, LOGOUT / QUIT)
/// from 1, 16 and 64 concurrent clients; logins per second and latency per login. The proxy is
/// measured with its success cache warm (the usual case: a client logs in again and again with
/// the same password, cached 5 minutes) and cold (every login a PBKDF2 verification at the
/// product default of 600,000 iterations, users never seen by this proxy process).
/// </summary>
internal static class LoginRateScenario
{
    public const string Name = "login";
    public const string ColdRoute = "proxy TLS->TLS cold cache";

    public static IReadOnlyList<Route> Routes(BenchContext c) =>
    [
        new("direct", c.System(MailSystem.Direct), Security.ImplicitTls, BenchUsers.WarmTls),
        new("proxy TLS->TLS", c.System(MailSystem.Proxy), Security.ImplicitTls, BenchUsers.WarmTls),
        new("proxy TLS->plain", c.System(MailSystem.Proxy), Security.ImplicitTls, BenchUsers.WarmPlain),
        new("nginx TLS->plain", c.System(MailSystem.Nginx), Security.ImplicitTls, BenchUsers.WarmPlain),
        new("dovecot-proxy TLS->plain", c.System(MailSystem.DovecotProxy), Security.ImplicitTls, BenchUsers.WarmPlain),
        new("haproxy TLS end-to-end", c.System(MailSystem.Haproxy), Security.ImplicitTls, BenchUsers.WarmTls),
    ];

    public static async Task RunAsync(BenchContext c, CancellationToken cancellationToken)
    {
        var routes = Routes(c);
        c.Progress("login rate: warming the proxy's login cache");
        await WarmProxyCacheAsync(c, cancellationToken).ConfigureAwait(false);
        foreach (var imap in new[] { true, false })
        {
            foreach (var route in routes)
            {
                foreach (var concurrency in c.Settings.Concurrency)
                {
                    if (!c.Selected(route))
                    {
                        c.Results.NotApplicable(Name, Variant(imap, concurrency), route.Label, "logins_per_s", BenchContext.NotSelected);
                        continue;
                    }

                    c.Progress($"login rate: {Protocol(imap)} {route.Label} c={concurrency}");
                    await MeasureCellAsync(c, route, imap, concurrency, cancellationToken).ConfigureAwait(false);
                }
            }
        }

        foreach (var imap in new[] { true, false })
        {
            if (c.Selected(routes[1]))
            {
                await MeasureColdAsync(c, imap, cancellationToken).ConfigureAwait(false);
            }
        }

        foreach (var imap in new[] { true, false })
        {
            c.Print(Table(c, imap, routes));
        }

        foreach (var imap in new[] { true, false })
        {
            c.Print(CpuTable(c.Results, imap, [.. routes.Select(r => r.Label), ColdRoute], c.Settings.Concurrency));
        }
    }

    public static string Protocol(bool imap) => imap ? "IMAP" : "POP3";

    public static string Variant(bool imap, int concurrency) => $"{Protocol(imap)} c={concurrency}";

    /// <summary>Every warm user logs in once, so the measured logins hit the proxy's success cache.</summary>
    public static async Task WarmProxyCacheAsync(BenchContext c, CancellationToken cancellationToken)
    {
        var proxy = c.System(MailSystem.Proxy);
        var users = BenchUsers.WarmTls.Concat(BenchUsers.WarmPlain).Append(BenchUsers.BulkTls).Append(BenchUsers.BulkPlain).ToList();
        var route = new Route("warm-up", proxy, Security.ImplicitTls, users);
        var cursor = -1;
        var result = await LoadRunner.RunAsync(2, TimeSpan.FromMinutes(2), users.Count, c.Settings.OperationTimeout,
            (_, ct) => Sessions.LoginCycleAsync(c, route, users[Interlocked.Increment(ref cursor) % users.Count], imap: true, ct),
            cancellationToken).ConfigureAwait(false);
        if (result.Failed > 0)
        {
            throw new InvalidOperationException($"the proxy refused a warm-up login: {result.FirstError}");
        }
    }

    private static async Task MeasureCellAsync(BenchContext c, Route route, bool imap, int concurrency, CancellationToken cancellationToken)
    {
        Task Login(int worker, CancellationToken ct) => Sessions.LoginCycleAsync(c, route, route.User(worker), imap, ct);

        // Warm-up: every worker's first login (connections, TLS contexts, JIT) is not counted.
        await LoadRunner.RunAsync(concurrency, c.Settings.LoginCell, concurrency, c.Settings.OperationTimeout, Login, cancellationToken).ConfigureAwait(false);
        var cpu = CpuMeter.Start(c, route.System!);
        var result = await LoadRunner.RunAsync(concurrency, c.Settings.LoginCell, c.Settings.LoginCellMaxLogins, c.Settings.OperationTimeout, Login, cancellationToken).ConfigureAwait(false);
        Record(c, Variant(imap, concurrency), route.Label, result, cpu);
    }

    /// <summary>
    /// Cold logins: a fresh proxy process (its cache is keyed per process), then each login with a
    /// user this process has not verified yet. Bounded by the users set aside per concurrency.
    /// </summary>
    private static async Task MeasureColdAsync(BenchContext c, bool imap, CancellationToken cancellationToken)
    {
        c.Progress($"login rate: {Protocol(imap)} cold cache: restarting the proxy");
        await c.Lab.RestartProxyAsync(cancellationToken).ConfigureAwait(false);
        var proxy = c.System(MailSystem.Proxy);

        // One login first so JIT and connection set-up are not part of the first cold figure.
        await Sessions.LoginCycleAsync(c, new Route("jit", proxy, Security.ImplicitTls, BenchUsers.WarmTls), BenchUsers.WarmTls[0], imap, cancellationToken).ConfigureAwait(false);
        var cursor = -1;
        foreach (var concurrency in c.Settings.Concurrency)
        {
            var variant = Variant(imap, concurrency);
            if (!c.Settings.ColdLogins.TryGetValue(concurrency, out var logins))
            {
                c.Results.NotApplicable(Name, variant, ColdRoute, "logins_per_s", "full mode only (each cold login costs about 0.25 s of CPU)");
                continue;
            }

            c.Progress($"login rate: {Protocol(imap)} {ColdRoute} c={concurrency} ({logins} logins)");
            var route = new Route(ColdRoute, proxy, Security.ImplicitTls, BenchUsers.Cold);
            var cpu = CpuMeter.Start(c, proxy);
            var result = await LoadRunner.RunAsync(concurrency, TimeSpan.FromMinutes(2), logins, c.Settings.OperationTimeout,
                (_, ct) => Sessions.LoginCycleAsync(c, route, BenchUsers.Cold[Interlocked.Increment(ref cursor)], imap, ct),
                cancellationToken).ConfigureAwait(false);
            Record(c, variant, ColdRoute, result, cpu);
        }
    }

    private static void Record(BenchContext c, string variant, string route, LoadResult result, CpuMeter cpu)
    {
        var (serving, backend) = cpu.Stop();
        if (result.Completed == 0)
        {
            c.Results.NotApplicable(Name, variant, route, "logins_per_s", $"every login failed: {result.FirstError}");
            return;
        }

        var note = result.Failed > 0 ? $"{result.Failed} of {result.Completed + result.Failed} logins failed, first: {result.FirstError}" : null;
        c.Results.Add(Name, variant, route, "logins_per_s", result.PerSecond, note);
        c.Results.Add(Name, variant, route, "p50_ms", result.Latencies.Percentile(50) / 1000);
        c.Results.Add(Name, variant, route, "p99_ms", result.Latencies.Percentile(99) / 1000);
        c.Results.Add(Name, variant, route, "logins", result.Completed);
        c.Results.Add(Name, variant, route, "failed", result.Failed);

        // Attempts that failed cost CPU too; per attempt is the fair divisor.
        var attempts = result.Completed + result.Failed;
        c.Results.Add(Name, variant, route, "cpu_ms_per_login", serving * 1000 / attempts);
        c.Results.Add(Name, variant, route, "backend_cpu_ms_per_login", backend * 1000 / attempts);
    }

    /// <summary>
    /// CPU milliseconds per login of the system serving the route (for direct: the backend
    /// Dovecot itself) and of the backend behind it: what each login costs whoever else shares
    /// the cores, so the systems compare on their own cost and not only on a rate that the
    /// clients and the backend bound on a small machine.
    /// </summary>
    public static TextTable CpuTable(Results results, bool imap, IReadOnlyList<string> labels, IReadOnlyList<int> concurrency)
    {
        string[] header = ["route", .. concurrency.Select(n => $"c={n} CPU ms/login (x direct)"), .. concurrency.Select(n => $"c={n} backend ms")];
        var table = new TextTable($"Login cost, {Protocol(imap)}: CPU milliseconds per login of the serving system", header);
        foreach (var label in labels)
        {
            var cells = new List<string> { label };
            foreach (var n in concurrency)
            {
                var variant = Variant(imap, n);
                var value = results.Value(Name, variant, label, "cpu_ms_per_login");
                cells.Add(value is null ? "n/a" : $"{TextTable.Figure(value)} ({TextTable.Ratio(value, results.Value(Name, variant, "direct", "cpu_ms_per_login"))})");
            }

            cells.AddRange(concurrency.Select(n => results.Value(Name, Variant(imap, n), label, "backend_cpu_ms_per_login") is { } backend ? TextTable.Figure(backend) : "n/a"));
            table.Row([.. cells]);
        }

        table.Note("CPU: user+system of the serving system's processes (nginx, Dovecot: all processes summed; direct: the backend Dovecot) over the measured logins, failed ones included.");
        table.Note("backend ms: the backend Dovecot's CPU for the same logins (for direct the same figure as the serving system).");
        return table;
    }

    /// <summary>The serving system's and the backend's CPU time from the start of a cell.</summary>
    private readonly record struct CpuMeter(MailSystem System, IReadOnlyCollection<int> Backend, double ServingBefore, double BackendBefore)
    {
        public static CpuMeter Start(BenchContext c, MailSystem system) =>
            new(system, c.Lab.BackendProcesses, ProcessSampler.Sample(system.Processes).CpuSeconds, ProcessSampler.Sample(c.Lab.BackendProcesses).CpuSeconds);

        public (double Serving, double Backend) Stop() =>
            (ProcessSampler.Sample(System.Processes).CpuSeconds - ServingBefore, ProcessSampler.Sample(Backend).CpuSeconds - BackendBefore);
    }

    private static TextTable Table(BenchContext c, bool imap, IReadOnlyList<Route> routes)
    {
        var concurrency = c.Settings.Concurrency;
        string[] header = ["route", .. concurrency.SelectMany(n => new[] { $"c={n} logins/s (x direct)", $"c={n} p50/p99 ms" })];
        var table = new TextTable($"Login rate, {Protocol(imap)}: connect + implicit TLS + login + {(imap ? "SELECT INBOX + LOGOUT" : "STAT + QUIT")}", header);
        foreach (var label in routes.Select(r => r.Label).Append(ColdRoute))
        {
            var cells = new List<string> { label };
            foreach (var n in concurrency)
            {
                var variant = Variant(imap, n);
                var rate = c.Results.Find(Name, variant, label, "logins_per_s");
                if (rate?.Value is not { } value)
                {
                    cells.Add("n/a");
                    cells.Add("n/a");
                    if (rate?.NotApplicable is { } reason)
                    {
                        table.Note($"{label} c={n}: n/a, {reason}");
                    }

                    continue;
                }

                var direct = c.Results.Value(Name, variant, "direct", "logins_per_s");
                cells.Add($"{TextTable.Figure(value)} ({TextTable.Ratio(value, direct)})");
                cells.Add($"{TextTable.Figure(c.Results.Value(Name, variant, label, "p50_ms"))}/{TextTable.Figure(c.Results.Value(Name, variant, label, "p99_ms"))}");
                if (rate.Note is { } note)
                {
                    table.Note($"{label} c={n}: {note}");
                }
            }

            table.Row([.. cells]);
        }

        table.Note("TLS: full handshake every login (no session resumption), RSA-2048 certificate, TLS 1.3. Backend leg: what the route name says.");
        table.Note($"Proxy rows other than '{ColdRoute}' hit its login cache (5 min); cold: one PBKDF2-SHA256 verification of 600,000 iterations per login.");
        return table;
    }
}
