using System.Diagnostics;
using Proxy.Bench.Client;
using Proxy.Bench.Measure;
using Proxy.Bench.Report;
using Proxy.Bench.Setup;

namespace Proxy.Bench.Scenarios;

/// <summary>
/// Scenario 3: NOOP ping-pong on one established session, one command at a time; p50/p99 of the
/// round trip and what each system adds over the direct connection.
/// </summary>
internal static class NoopScenario
{
    public const string Name = "noop";
    private const int WarmUp = 200;

    public static IReadOnlyList<Route> PlainRoutes(BenchContext c) =>
    [
        new("direct", c.System(MailSystem.Direct), Security.Plain, BenchUsers.WarmPlain),
        new("proxy", c.System(MailSystem.Proxy), Security.Plain, BenchUsers.WarmPlain),
        new("nginx", c.System(MailSystem.Nginx), Security.Plain, BenchUsers.WarmPlain),
        new("dovecot-proxy", c.System(MailSystem.DovecotProxy), Security.Plain, BenchUsers.WarmPlain),
        new("haproxy", c.System(MailSystem.Haproxy), Security.Plain, BenchUsers.WarmPlain),
    ];

    public static IReadOnlyList<Route> TlsRoutes(BenchContext c) =>
    [
        new("direct", c.System(MailSystem.Direct), Security.ImplicitTls, BenchUsers.WarmTls),
        new("proxy TLS->TLS", c.System(MailSystem.Proxy), Security.ImplicitTls, BenchUsers.WarmTls),
        new("proxy TLS->plain", c.System(MailSystem.Proxy), Security.ImplicitTls, BenchUsers.WarmPlain),
        new("nginx TLS->plain", c.System(MailSystem.Nginx), Security.ImplicitTls, BenchUsers.WarmPlain),
        new("dovecot-proxy TLS->TLS", c.System(MailSystem.DovecotProxy), Security.ImplicitTls, BenchUsers.WarmTls),
        new("dovecot-proxy TLS->plain", c.System(MailSystem.DovecotProxy), Security.ImplicitTls, BenchUsers.WarmPlain),
        new("haproxy TLS end-to-end", c.System(MailSystem.Haproxy), Security.ImplicitTls, BenchUsers.WarmTls),
    ];

    public static async Task RunAsync(BenchContext c, CancellationToken cancellationToken)
    {
        foreach (var (tls, routes) in new[] { (false, PlainRoutes(c)), (true, TlsRoutes(c)) })
        {
            foreach (var imap in new[] { true, false })
            {
                var variant = Variant(tls, imap);
                foreach (var route in routes)
                {
                    if (!c.Selected(route))
                    {
                        c.Results.NotApplicable(Name, variant, route.Label, "p50_us", BenchContext.NotSelected);
                        continue;
                    }

                    c.Progress($"noop: {variant} {route.Label}");
                    await MeasureAsync(c, route, imap, variant, cancellationToken).ConfigureAwait(false);
                }
            }

            c.Print(Table(c, tls, routes));
        }
    }

    public static string Variant(bool tls, bool imap) => $"{(tls ? "TLS" : "plaintext")} {LoginRateScenario.Protocol(imap)}";

    private static async Task MeasureAsync(BenchContext c, Route route, bool imap, string variant, CancellationToken cancellationToken)
    {
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bound.CancelAfter(c.Settings.NoopMax + c.Settings.OperationTimeout * 2);
        try
        {
            var user = route.User(0);
            IAsyncDisposable session;
            Func<CancellationToken, Task> noop;
            if (imap)
            {
                var client = await Sessions.OpenImapAsync(c, route, user, bound.Token).ConfigureAwait(false);
                (session, noop) = (client, client.NoopAsync);
            }
            else
            {
                var client = await Sessions.OpenPop3Async(c, route, user, bound.Token).ConfigureAwait(false);
                (session, noop) = (client, client.NoopAsync);
            }

            await using (session.ConfigureAwait(false))
            {
                for (var i = 0; i < WarmUp; i++)
                {
                    await noop(bound.Token).ConfigureAwait(false);
                }

                var samples = new List<double>(c.Settings.NoopRoundTrips);
                var clock = Stopwatch.StartNew();
                while (samples.Count < c.Settings.NoopRoundTrips && clock.Elapsed < c.Settings.NoopMax)
                {
                    var begin = Stopwatch.GetTimestamp();
                    await noop(bound.Token).ConfigureAwait(false);
                    samples.Add(Stopwatch.GetElapsedTime(begin).TotalMicroseconds);
                }

                c.Results.Add(Name, variant, route.Label, "p50_us", Percentiles.Of(samples, 50));
                c.Results.Add(Name, variant, route.Label, "p99_us", Percentiles.Of(samples, 99));
                c.Results.Add(Name, variant, route.Label, "round_trips", samples.Count);
            }
        }
        catch (Exception e) when (e is IOException or MailProtocolException or OperationCanceledException or System.Net.Sockets.SocketException or System.Security.Authentication.AuthenticationException && !cancellationToken.IsCancellationRequested)
        {
            c.Results.NotApplicable(Name, variant, route.Label, "p50_us", $"failed: {e.GetType().Name}: {e.Message}");
        }
    }

    private static TextTable Table(BenchContext c, bool tls, IReadOnlyList<Route> routes)
    {
        var table = new TextTable(
            $"NOOP round trip on an established session, {(tls ? "TLS (implicit) on the client side" : "plaintext")} (microseconds)",
            "route", "IMAP p50", "IMAP p99", "IMAP added p50/p99", "POP3 p50", "POP3 p99", "POP3 added p50/p99");
        foreach (var route in routes)
        {
            var cells = new List<string> { route.Label };
            foreach (var imap in new[] { true, false })
            {
                var variant = Variant(tls, imap);
                var p50 = c.Results.Find(Name, variant, route.Label, "p50_us");
                if (p50?.Value is null)
                {
                    cells.AddRange(["n/a", "n/a", "n/a"]);
                    table.Note($"{route.Label} {LoginRateScenario.Protocol(imap)}: n/a, {p50?.NotApplicable}");
                    continue;
                }

                var p99 = c.Results.Value(Name, variant, route.Label, "p99_us");
                var direct50 = c.Results.Value(Name, variant, "direct", "p50_us");
                var direct99 = c.Results.Value(Name, variant, "direct", "p99_us");
                cells.Add(TextTable.Figure(p50.Value));
                cells.Add(TextTable.Figure(p99));
                cells.Add(route.System?.Name == MailSystem.Direct ? "(baseline)" : $"{TextTable.Figure(p50.Value - direct50)}/{TextTable.Figure(p99 - direct99)}");
            }

            table.Row([.. cells]);
        }

        table.Note($"{c.Settings.NoopRoundTrips:N0} round trips per cell (or {c.Settings.NoopMax.TotalSeconds:0} s) after {WarmUp} unmeasured ones; one command in flight.");
        return table;
    }
}
