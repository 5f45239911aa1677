using System.Diagnostics;
using Proxy.Bench.Client;
using Proxy.Bench.Measure;
using Proxy.Bench.Report;
using Proxy.Bench.Setup;

namespace Proxy.Bench.Scenarios;

/// <summary>
/// Scenario 2: one session fetches the 20 MiB message again and again (IMAP FETCH 1 BODY[],
/// POP3 RETR 1); MB/s (10^6 bytes) and the CPU seconds per GB (10^9 bytes) the relaying
/// system's processes spent, read from /proc before and after (nginx, Dovecot: master and
/// workers summed). The backend's and the client's CPU are recorded too.
/// </summary>
internal static class BulkScenario
{
    public const string Name = "bulk";
    private const string NginxNoTls = "nginx's mail module cannot speak TLS to a backend";

    public static IReadOnlyList<Route> PlainRoutes(BenchContext c) =>
    [
        new("direct", c.System(MailSystem.Direct), Security.Plain, [BenchUsers.BulkPlain]),
        new("proxy", c.System(MailSystem.Proxy), Security.Plain, [BenchUsers.BulkPlain]),
        new("nginx", c.System(MailSystem.Nginx), Security.Plain, [BenchUsers.BulkPlain]),
        new("dovecot-proxy", c.System(MailSystem.DovecotProxy), Security.Plain, [BenchUsers.BulkPlain]),
        new("haproxy", c.System(MailSystem.Haproxy), Security.Plain, [BenchUsers.BulkPlain]),
    ];

    public static IReadOnlyList<Route> TlsRoutes(BenchContext c) =>
    [
        new("direct", c.System(MailSystem.Direct), Security.ImplicitTls, [BenchUsers.BulkTls]),
        new("proxy TLS->TLS", c.System(MailSystem.Proxy), Security.ImplicitTls, [BenchUsers.BulkTls]),
        new("proxy TLS->plain", c.System(MailSystem.Proxy), Security.ImplicitTls, [BenchUsers.BulkPlain]),
        Route.NotAvailable("nginx TLS->TLS", NginxNoTls),
        new("nginx TLS->plain", c.System(MailSystem.Nginx), Security.ImplicitTls, [BenchUsers.BulkPlain]),
        new("dovecot-proxy TLS->TLS", c.System(MailSystem.DovecotProxy), Security.ImplicitTls, [BenchUsers.BulkTls]),
        new("dovecot-proxy TLS->plain", c.System(MailSystem.DovecotProxy), Security.ImplicitTls, [BenchUsers.BulkPlain]),
        new("haproxy TLS end-to-end", c.System(MailSystem.Haproxy), Security.ImplicitTls, [BenchUsers.BulkTls]),
    ];

    public static async Task RunAsync(BenchContext c, CancellationToken cancellationToken)
    {
        foreach (var (tls, routes) in new[] { (false, PlainRoutes(c)), (true, TlsRoutes(c)) })
        {
            var variantPrefix = tls ? "TLS" : "plaintext";
            foreach (var imap in new[] { true, false })
            {
                foreach (var route in routes)
                {
                    var variant = $"{variantPrefix} {LoginRateScenario.Protocol(imap)}";
                    if (route.NotApplicable is { } reason)
                    {
                        c.Results.NotApplicable(Name, variant, route.Label, "mb_per_s", reason);
                        continue;
                    }

                    if (!c.Selected(route))
                    {
                        c.Results.NotApplicable(Name, variant, route.Label, "mb_per_s", BenchContext.NotSelected);
                        continue;
                    }

                    c.Progress($"bulk: {variant} {route.Label}");
                    await MeasureAsync(c, route, imap, variant, cancellationToken).ConfigureAwait(false);
                }
            }

            c.Print(Table(c, tls, routes));
        }
    }

    private static async Task MeasureAsync(BenchContext c, Route route, bool imap, string variant, CancellationToken cancellationToken)
    {
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bound.CancelAfter(c.Settings.BulkCell + c.Settings.OperationTimeout * 2);
        try
        {
            var user = route.Users[0];
            Func<CancellationToken, Task<long>> fetch;
            IAsyncDisposable session;
            if (imap)
            {
                var client = await Sessions.OpenImapAsync(c, route, user, bound.Token).ConfigureAwait(false);
                (session, fetch) = (client, ct => client.FetchBodyAsync(1, ct));
            }
            else
            {
                var client = await Sessions.OpenPop3Async(c, route, user, bound.Token).ConfigureAwait(false);
                (session, fetch) = (client, ct => client.RetrieveAsync(1, ct));
            }

            await using (session.ConfigureAwait(false))
            {
                // One unmeasured fetch: Dovecot reads the file into its cache, buffers and pools fill up.
                var size = await fetch(bound.Token).ConfigureAwait(false);
                if (size < MailStore.BulkMessageBytes)
                {
                    throw new MailProtocolException($"fetched {size} bytes, expected at least {MailStore.BulkMessageBytes}");
                }

                var me = Process.GetCurrentProcess();
                var relayBefore = ProcessSampler.Sample(route.System!.Processes);
                var backendBefore = ProcessSampler.Sample(c.Lab.BackendProcesses);
                var clientBefore = me.TotalProcessorTime;
                var clock = Stopwatch.StartNew();
                long bytes = 0;
                var fetches = 0;
                while (fetches < c.Settings.BulkMaxFetches && clock.Elapsed < c.Settings.BulkCell)
                {
                    bytes += await fetch(bound.Token).ConfigureAwait(false);
                    fetches++;
                }

                var elapsed = clock.Elapsed;
                me.Refresh();
                var relayAfter = ProcessSampler.Sample(route.System.Processes);
                var backendAfter = ProcessSampler.Sample(c.Lab.BackendProcesses);
                var gigabytes = bytes / 1e9;
                c.Results.Add(Name, variant, route.Label, "mb_per_s", bytes / 1e6 / elapsed.TotalSeconds);
                c.Results.Add(Name, variant, route.Label, "bytes", bytes);
                c.Results.Add(Name, variant, route.Label, "fetches", fetches);
                if (route.System.Name != MailSystem.Direct)
                {
                    c.Results.Add(Name, variant, route.Label, "cpu_s_per_gb", (relayAfter.CpuSeconds - relayBefore.CpuSeconds) / gigabytes);
                }

                c.Results.Add(Name, variant, route.Label, "backend_cpu_s_per_gb", (backendAfter.CpuSeconds - backendBefore.CpuSeconds) / gigabytes);
                c.Results.Add(Name, variant, route.Label, "client_cpu_s_per_gb", (me.TotalProcessorTime - clientBefore).TotalSeconds / gigabytes);
                await (imap ? ((ImapClient)session).LogoutAsync(bound.Token) : ((Pop3Client)session).QuitAsync(bound.Token)).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is IOException or MailProtocolException or OperationCanceledException or System.Net.Sockets.SocketException or System.Security.Authentication.AuthenticationException && !cancellationToken.IsCancellationRequested)
        {
            c.Results.NotApplicable(Name, variant, route.Label, "mb_per_s", $"failed: {e.GetType().Name}: {e.Message}");
        }
    }

    private static TextTable Table(BenchContext c, bool tls, IReadOnlyList<Route> routes)
    {
        var prefix = tls ? "TLS" : "plaintext";
        var table = new TextTable(
            $"Bulk, {(tls ? "TLS (implicit) on the client side" : "plaintext on both sides")}: one session fetching a {MailStore.BulkMessageBytes / (1024 * 1024)} MiB message repeatedly",
            "route", "IMAP MB/s (x direct)", "IMAP CPU s/GB (x haproxy)", "POP3 MB/s (x direct)", "POP3 CPU s/GB (x haproxy)", "backend CPU s/GB IMAP/POP3");
        var haproxyLabel = routes.First(r => r.System?.Name == MailSystem.Haproxy).Label;
        foreach (var route in routes)
        {
            if (route.NotApplicable is { } reason)
            {
                table.NotApplicableRow(route.Label, reason);
                continue;
            }

            var cells = new List<string> { route.Label };
            var backend = new List<string>();
            foreach (var protocol in new[] { "IMAP", "POP3" })
            {
                var variant = $"{prefix} {protocol}";
                var rate = c.Results.Find(Name, variant, route.Label, "mb_per_s");
                if (rate?.Value is not { } value)
                {
                    cells.Add("n/a");
                    cells.Add("n/a");
                    backend.Add("n/a");
                    table.Note($"{route.Label} {protocol}: n/a, {rate?.NotApplicable}");
                    continue;
                }

                cells.Add($"{TextTable.Figure(value)} ({TextTable.Ratio(value, c.Results.Value(Name, variant, "direct", "mb_per_s"))})");
                var cpu = c.Results.Value(Name, variant, route.Label, "cpu_s_per_gb");
                cells.Add(cpu is null ? "- (relays nothing)" : $"{TextTable.Figure(cpu)} ({TextTable.Ratio(cpu, c.Results.Value(Name, variant, haproxyLabel, "cpu_s_per_gb"))})");
                backend.Add(TextTable.Figure(c.Results.Value(Name, variant, route.Label, "backend_cpu_s_per_gb")));
            }

            cells.Add(string.Join('/', backend));
            table.Row([.. cells]);
        }

        table.Note("CPU s/GB: user+system CPU of the relaying system's processes (nginx, Dovecot: all processes summed) per 10^9 bytes delivered; the load generator and the backend share the same 2 cores.");
        if (tls)
        {
            table.Note("haproxy does no TLS (the session is encrypted end to end with Dovecot), so its CPU is a pure TCP relay's.");
        }

        return table;
    }
}
