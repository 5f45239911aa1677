using System.Diagnostics;
using Proxy.Bench.Client;
using Proxy.Bench.Measure;
using Proxy.Bench.Report;
using Proxy.Bench.Setup;

namespace Proxy.Bench.Scenarios;

/// <summary>
/// Scenario 4: N logged-in IMAP sessions in IDLE through one system; its resident memory per
/// session (VmRSS delta / N, summed over its processes, after a settle time, no GC forced),
/// and that every session still answers afterwards (DONE, then NOOP). The proxy is restarted
/// before each of its rows so the baseline is a fresh, warmed-up process.
/// </summary>
internal static class IdleScenario
{
    public const string Name = "idle";
    private const int OpenConcurrency = 64;
    private const int ClientBufferSize = 4096;

    public static IReadOnlyList<Route> Routes(BenchContext c) =>
    [
        new("proxy plain->plain", c.System(MailSystem.Proxy), Security.Plain, [BenchUsers.IdlePlain]),
        new("proxy TLS->TLS", c.System(MailSystem.Proxy), Security.ImplicitTls, [BenchUsers.IdleTls]),
        new("proxy STARTTLS->TLS", c.System(MailSystem.Proxy), Security.StartTls, [BenchUsers.IdleTls]) { FullOnly = true },
        new("proxy TLS->plain", c.System(MailSystem.Proxy), Security.ImplicitTls, [BenchUsers.IdlePlain]) { FullOnly = true },
        new("nginx plain", c.System(MailSystem.Nginx), Security.Plain, [BenchUsers.IdlePlain]),
        new("dovecot-proxy plain", c.System(MailSystem.DovecotProxy), Security.Plain, [BenchUsers.IdlePlain]),
        new("haproxy plain", c.System(MailSystem.Haproxy), Security.Plain, [BenchUsers.IdlePlain]),
        new("direct (Dovecot itself)", c.System(MailSystem.Direct), Security.Plain, [BenchUsers.IdlePlain]),
    ];

    public static async Task RunAsync(BenchContext c, CancellationToken cancellationToken)
    {
        var routes = Routes(c);
        var sizes = c.Settings.IdleSizes.Union(c.Settings.IdlePeerSizes).Order().ToList();
        foreach (var size in sizes)
        {
            foreach (var route in routes)
            {
                if (!c.Selected(route))
                {
                    c.Results.NotApplicable(Name, Variant(size), route.Label, "kib_per_session", BenchContext.NotSelected);
                    continue;
                }

                if (route.FullOnly && !c.Settings.IsFull)
                {
                    c.Results.NotApplicable(Name, Variant(size), route.Label, "kib_per_session", "full mode only (keeps the short mode under 3 minutes)");
                    continue;
                }

                var isProxy = route.System!.Name == MailSystem.Proxy;
                if (!(isProxy ? c.Settings.IdleSizes : c.Settings.IdlePeerSizes).Contains(size))
                {
                    c.Results.NotApplicable(Name, Variant(size), route.Label, "kib_per_session", $"not measured at N={size:N0} in {c.Settings.Mode} mode");
                    continue;
                }

                c.Progress($"idle: N={size:N0} {route.Label}");
                await MeasureAsync(c, route, size, cancellationToken).ConfigureAwait(false);
            }
        }

        c.Print(Table(c, routes, sizes));
    }

    public static string Variant(int size) => $"N={size}";

    private static async Task MeasureAsync(BenchContext c, Route route, int size, CancellationToken cancellationToken)
    {
        var variant = Variant(size);
        if (route.System!.Name == MailSystem.Proxy)
        {
            await c.Lab.RestartProxyAsync(cancellationToken).ConfigureAwait(false);
        }

        var user = route.Users[0];
        var clients = new ImapClient?[size];
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bound.CancelAfter(TimeSpan.FromSeconds(120) + TimeSpan.FromMilliseconds(30.0 * size) + c.Settings.IdleSettle);
        try
        {
            // Warm-up cycles: JIT, pools, the login cache; then let the process settle.
            var warm = await LoadRunner.RunAsync(4, TimeSpan.FromSeconds(30), 16, c.Settings.OperationTimeout, async (_, ct) =>
            {
                await using var client = await Sessions.OpenImapAsync(c, route, user, ct, ClientBufferSize).ConfigureAwait(false);
                await client.IdleAsync(ct).ConfigureAwait(false);
                await client.DoneAsync(ct).ConfigureAwait(false);
                await client.LogoutAsync(ct).ConfigureAwait(false);
            }, bound.Token).ConfigureAwait(false);
            if (warm.Completed == 0)
            {
                c.Results.NotApplicable(Name, variant, route.Label, "kib_per_session", $"no session could be opened: {warm.FirstError}");
                return;
            }

            await Task.Delay(TimeSpan.FromSeconds(2), bound.Token).ConfigureAwait(false);
            var before = ProcessSampler.Sample(route.System.Processes);
            var backendBefore = ProcessSampler.Sample(c.Lab.BackendProcesses);

            var clock = Stopwatch.StartNew();
            var openFailures = await ForEachAsync(size, bound.Token, async (i, ct) =>
            {
                var client = await Sessions.OpenImapAsync(c, route, user, ct, ClientBufferSize).ConfigureAwait(false);
                clients[i] = client;
                await client.IdleAsync(ct).ConfigureAwait(false);
            }).ConfigureAwait(false);
            var openSeconds = clock.Elapsed.TotalSeconds;

            await Task.Delay(c.Settings.IdleSettle, bound.Token).ConfigureAwait(false);
            var after = ProcessSampler.Sample(route.System.Processes);
            var backendAfter = ProcessSampler.Sample(c.Lab.BackendProcesses);

            // Every session must still answer: DONE ends its IDLE, NOOP proves it is relayed both ways.
            var check = await ForEachAsync(size, bound.Token, async (i, ct) =>
            {
                var client = clients[i] ?? throw new MailProtocolException("session was not opened");
                await client.DoneAsync(ct).ConfigureAwait(false);
                await client.NoopAsync(ct).ConfigureAwait(false);
            }).ConfigureAwait(false);

            var perSession = (after.RssKib - before.RssKib) / (double)Math.Max(1, size - openFailures.Failed);
            var note = openFailures.Failed > 0 ? $"{openFailures.Failed} sessions failed to open, first: {openFailures.FirstError}"
                : check.Failed > 0 ? $"{check.Failed} sessions did not answer, first: {check.FirstError}"
                : null;
            c.Results.Add(Name, variant, route.Label, "kib_per_session", perSession, note);
            c.Results.Add(Name, variant, route.Label, "rss_before_mib", before.RssKib / 1024.0);
            c.Results.Add(Name, variant, route.Label, "rss_after_mib", after.RssKib / 1024.0);
            c.Results.Add(Name, variant, route.Label, "sessions_opened", size - openFailures.Failed);
            c.Results.Add(Name, variant, route.Label, "sessions_alive", size - check.Failed);
            c.Results.Add(Name, variant, route.Label, "open_seconds", openSeconds);
            c.Results.Add(Name, variant, route.Label, "backend_kib_per_session", (backendAfter.RssKib - backendBefore.RssKib) / (double)Math.Max(1, size - openFailures.Failed));
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            c.Results.NotApplicable(Name, variant, route.Label, "kib_per_session", "did not finish within its time bound");
        }
        finally
        {
            await ForEachAsync(size, CancellationToken.None, async (i, ct) =>
            {
                if (clients[i] is { } client)
                {
                    using var quick = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                    try
                    {
                        await client.LogoutAsync(quick.Token).ConfigureAwait(false);
                    }
                    catch (Exception e) when (e is IOException or MailProtocolException or OperationCanceledException or System.Net.Sockets.SocketException)
                    {
                        // Already broken; closing it is all that is left.
                    }

                    await client.DisposeAsync().ConfigureAwait(false);
                }
            }).ConfigureAwait(false);

            // Let the system close its side (TIME_WAIT aside) before the next row measures a baseline.
            await Task.Delay(TimeSpan.FromSeconds(1), CancellationToken.None).ConfigureAwait(false);
        }
    }

    private sealed record ForEachResult(int Failed, string? FirstError);

    /// <summary>Runs <paramref name="action"/> for 0..count-1, <see cref="OpenConcurrency"/> at a time; counts failures.</summary>
    private static async Task<ForEachResult> ForEachAsync(int count, CancellationToken cancellationToken, Func<int, CancellationToken, Task> action)
    {
        var next = -1;
        var failed = 0;
        string? firstError = null;
        async Task WorkerAsync()
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                try
                {
                    using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                    timeout.CancelAfter(TimeSpan.FromSeconds(30));
                    await action(i, timeout.Token).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    Interlocked.Increment(ref failed);
                    Interlocked.CompareExchange(ref firstError, $"{e.GetType().Name}: {e.Message}", null);
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, OpenConcurrency).Select(_ => Task.Run(WorkerAsync, CancellationToken.None))).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        return new ForEachResult(failed, firstError);
    }

    private static TextTable Table(BenchContext c, IReadOnlyList<Route> routes, IReadOnlyList<int> sizes)
    {
        string[] header = ["route", .. sizes.SelectMany(n => new[] { $"N={n:N0} KiB/session", $"N={n:N0} alive", $"N={n:N0} backend KiB/session" })];
        var table = new TextTable("Idle IMAP sessions (logged in, INBOX selected, in IDLE): resident memory per session", header);
        foreach (var route in routes)
        {
            var cells = new List<string> { route.Label };
            foreach (var n in sizes)
            {
                var variant = Variant(n);
                var kib = c.Results.Find(Name, variant, route.Label, "kib_per_session");
                if (kib?.Value is not { } value)
                {
                    cells.AddRange(["n/a", "n/a", "n/a"]);
                    table.Note($"{route.Label} N={n:N0}: n/a, {kib?.NotApplicable}");
                    continue;
                }

                cells.Add(TextTable.Figure(value));
                cells.Add($"{c.Results.Value(Name, variant, route.Label, "sessions_alive"):0}/{n}");
                cells.Add(TextTable.Figure(c.Results.Value(Name, variant, route.Label, "backend_kib_per_session")));
                if (kib.Note is { } note)
                {
                    table.Note($"{route.Label} N={n:N0}: {note}");
                }
            }

            table.Row([.. cells]);
        }

        table.Note("KiB/session: VmRSS after N sessions minus before, over N, summed over the system's processes; the direct row is the backend Dovecot's own cost.");
        table.Note("N is at most 9,000, not 10,000: the hard open-files limit here is 20,000 and a relay holds two sockets per session.");
        return table;
    }
}
