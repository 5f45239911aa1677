using System.Diagnostics;
using System.Text.Json;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Security;
using Proxy.IntegrationTests.Harness;
using Proxy.IntegrationTests.Health;
using Proxy.IntegrationTests.Infrastructure;
using Proxy.IntegrationTests.Ordering;
using Xunit.Abstractions;

namespace Proxy.IntegrationTests.Dashboard;

/// <summary>
/// The dashboard in a real browser (headless Chromium) against the real proxy and two real
/// Dovecots in two sites: an operator watching it sees a backend go down. Screenshots before,
/// after and once the proxy is gone are kept in the test artefacts (TestArtifacts).
/// </summary>
[Collection(DashboardCollection.Name)]
public sealed class DashboardBrowserTests(DashboardFixture fixture, ITestOutputHelper output)
{
    private const string HqServer = DashboardFixture.HqServer;
    private const string BranchServer = DashboardFixture.BranchServer;

    /// <summary>A user name that is markup: the page must show it as text.</summary>
    private const string MarkupUser = "<b>mallory</b>@contoso.lab";

    /// <summary>What the page shows, read through its stable hooks (docs/dashboard.md).</summary>
    private const string ReadPage = """
        const text = (id) => { const e = document.getElementById(id); return e ? e.textContent : null; };
        const banner = document.getElementById('stale-banner');
        return JSON.stringify({
          overall: text('overall-status'),
          updated: text('last-updated'),
          stale: document.body.classList.contains('stale'),
          banner: banner && !banner.hidden ? banner.textContent : null,
          recent: Array.from(document.querySelectorAll('#recent tbody tr[data-kind]')).map(r => r.dataset.kind + ' ' + r.textContent),
          rows: Array.from(document.querySelectorAll('tr.endpoint')).map(r => ({
            server: r.dataset.server, protocol: r.dataset.protocol, endpoint: r.dataset.endpoint,
            state: r.dataset.state, classes: r.className, text: r.textContent,
            sessions: (r.querySelector('td.sessions') || {}).textContent || null }))
        });
        """;

    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    private readonly Stopwatch _clock = Stopwatch.StartNew();

    [Fact]
    public async Task StoppedBackend_ItsRowsTurnUnhealthy_TheOtherStaysHealthy_OverallDegraded()
    {
        var (pki, hq, branch) = (fixture.Pki, fixture.Hq, fixture.BranchBackend);
        // One refused probe is enough to call an endpoint Unhealthy; the timeout is longer than
        // the interval so that a busy machine does not fail a probe of the running Dovecot.
        await using var proxy = await fixture.StartProxyAsync(
            HealthWait.FastProbes(("Proxy:Health:UnhealthyThreshold", "1"), ("Proxy:Health:ProbeTimeout", "00:00:03")));
        output.WriteLine($"{_clock.Elapsed}: proxy started");
        using var browser = HeadlessChromium.Start(1400, 1700);
        output.WriteLine($"{_clock.Elapsed}: browser started");
        var origin = $"127.0.0.1:{proxy.HttpPort}";

        browser.Driver.Navigate().GoToUrl($"http://{origin}/?refresh=1");

        // Every endpoint the topology offers has its row, Healthy once probed.
        string[] expected =
        [
            .. Endpoints(HqServer, hq),
            .. Endpoints(BranchServer, branch),
        ];
        var view = await UntilAsync(browser, proxy, v => v.Rows.Count == expected.Length && v.Rows.All(r => r.State == "Healthy"), "every endpoint row Healthy");
        Assert.Equal(expected.Order(), view.Rows.Select(r => $"{r.Server} {r.Protocol} {r.Endpoint}").Order());
        Assert.All(view.Rows, r => Assert.Contains("state-healthy", r.Classes));
        Assert.Equal("Healthy", view.Overall);

        // A real client logs in through the proxy: its session shows on the endpoint it was relayed to.
        using var imap = new ImapClient { Timeout = 15_000, ServerCertificateValidationCallback = pki.ValidateServerCertificate };
        await imap.ConnectAsync("127.0.0.1", proxy.ImapsPort, SecureSocketOptions.SslOnConnect);
        await imap.AuthenticateAsync(Topologies.Alice, Topologies.Password);
        await imap.Inbox.OpenAsync(FolderAccess.ReadOnly);
        var hqImapSsl = $"127.0.0.1:{hq.ImapSslPort}:ssl";
        await UntilAsync(browser, proxy, v => v.Rows.Any(r => r.Server == HqServer && r.Endpoint == hqImapSsl && r.Sessions == "1"), $"one session on {HqServer} {hqImapSsl}");

        // Two refused clients: bob's mailbox is in the other site; a user name that is markup is shown as text, not run as HTML.
        await using (var crossSite = await RawMailClient.ConnectEncryptedAsync(MailProtocolKind.Imap, proxy.ImapsPort, pki, implicitTls: true))
        {
            Assert.StartsWith("a NO", await crossSite.ImapCommandAsync("a", $"LOGIN {DashboardFixture.Bob} {Topologies.Password}"));
        }

        await using (var markup = await RawMailClient.ConnectEncryptedAsync(MailProtocolKind.Imap, proxy.ImapsPort, pki, implicitTls: true))
        {
            Assert.StartsWith("a NO", await markup.ImapCommandAsync("a", $"LOGIN \"{MarkupUser}\" wrong-password"));
        }

        view = await UntilAsync(
            browser,
            proxy,
            v => v.Recent.Any(r => r.StartsWith("refusal", StringComparison.Ordinal) && r.Contains(DashboardFixture.Bob, StringComparison.Ordinal))
                && v.Recent.Any(r => r.Contains(MarkupUser, StringComparison.Ordinal)),
            "both refusals in the recent list");
        Assert.Equal(0, browser.Query("return JSON.stringify(document.querySelectorAll('#recent b, #recent img, #recent script').length);").GetInt32());
        browser.Screenshot("dashboard-before.png");

        await branch.StopAsync();
        try
        {
            view = await UntilAsync(
                browser,
                proxy,
                v => v.Overall == "Degraded" && v.Rows.Where(r => r.Server == BranchServer).All(r => r.State == "Unhealthy"),
                $"every {BranchServer} row Unhealthy and the overall status Degraded");
            var after = browser.Screenshot("dashboard-after.png");
            Assert.True(new FileInfo(after).Length > 10_000, $"{after} holds a screenshot");
        }
        finally
        {
            // The fixture's Dovecots are shared with the status API's tests.
            await branch.RestartAsync();
        }

        Assert.Equal(expected.Length, view.Rows.Count);
        Assert.All(view.Rows.Where(r => r.Server == BranchServer), r =>
        {
            Assert.Contains("state-unhealthy", r.Classes);
            // Said in words too, not by colour alone.
            Assert.Contains("Unhealthy", r.Text);
        });
        Assert.All(view.Rows.Where(r => r.Server == HqServer), r => Assert.Equal("Healthy", r.State));
        Assert.Equal("1", view.Rows.Single(r => r.Endpoint == hqImapSsl).Sessions);
        Assert.False(view.Stale, "the page is live");
        Assert.Null(view.Banner);

        // The page ran clean under its Content-Security-Policy and asked nobody but the proxy.
        Assert.Empty(browser.ConsoleErrors());
        var fetched = browser.Query("return JSON.stringify([location.href, ...performance.getEntriesByType('resource').map(e => e.name)]);")
            .EnumerateArray().Select(e => new Uri(e.GetString()!)).ToList();
        Assert.Contains(fetched, u => u.AbsolutePath == "/api/v1/status");
        Assert.Contains(fetched, u => u.AbsolutePath == "/dashboard/dashboard.js");
        Assert.All(fetched, u => Assert.Equal(origin, u.Authority));

        // The proxy goes away: the page says its data is stale instead of showing it as current.
        await imap.DisconnectAsync(true);
        await proxy.StopAsync();
        view = await UntilAsync(browser, proxy, v => v.Stale && v.Banner is not null, "the page marked stale");
        Assert.Contains("STALE", view.Banner);
        Assert.Contains(view.Updated!, view.Banner);
        browser.Screenshot("dashboard-stale.png");
        // The console check above can see errors: the failed polls are logged there now.
        Assert.Contains(browser.ConsoleErrors(), m => m.Contains("/api/v1/status", StringComparison.Ordinal));
    }

    /// <summary>"server protocol host:port:method" of every endpoint a server offers (SSL and STARTTLS, both protocols).</summary>
    private static IEnumerable<string> Endpoints(string server, DovecotBackend backend) =>
    [
        $"{server} imap 127.0.0.1:{backend.ImapSslPort}:ssl",
        $"{server} imap 127.0.0.1:{backend.ImapPort}:starttls",
        $"{server} pop3 127.0.0.1:{backend.Pop3SslPort}:ssl",
        $"{server} pop3 127.0.0.1:{backend.Pop3Port}:starttls",
    ];

    /// <summary>Reads the page until <paramref name="condition"/> holds; after <see cref="Bound"/> fails with what it showed (and a screenshot).</summary>
    private async Task<PageView> UntilAsync(HeadlessChromium browser, ProxyUnderTest proxy, Func<PageView, bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Bound;
        while (true)
        {
            var view = PageView.Read(browser);
            if (condition(view))
            {
                output.WriteLine($"{_clock.Elapsed}: page showed {what}");
                return view;
            }

            if (DateTime.UtcNow > deadline)
            {
                var shot = browser.Screenshot("dashboard-failure.png");
                Assert.Fail($"The dashboard never showed {what} within {Bound.TotalSeconds} s. It showed:\n{view}\nScreenshot: {shot}\n" +
                    $"Console: {string.Join('\n', browser.ConsoleErrors())}\nProxy log:\n{proxy.Logs.AllText}");
            }

            await Task.Delay(200);
        }
    }

    private sealed record EndpointRow(string? Server, string? Protocol, string? Endpoint, string? State, string Classes, string Text, string? Sessions);

    private sealed record PageView(string? Overall, string? Updated, bool Stale, string? Banner, IReadOnlyList<string> Recent, IReadOnlyList<EndpointRow> Rows)
    {
        public static PageView Read(HeadlessChromium browser)
        {
            var page = browser.Query(ReadPage);
            return new PageView(
                page.GetProperty("overall").GetString(),
                page.GetProperty("updated").GetString(),
                page.GetProperty("stale").GetBoolean(),
                page.GetProperty("banner").GetString(),
                page.GetProperty("recent").EnumerateArray().Select(e => e.GetString() ?? "").ToList(),
                page.GetProperty("rows").EnumerateArray().Select(r => new EndpointRow(
                    Text(r, "server"), Text(r, "protocol"), Text(r, "endpoint"), Text(r, "state"), Text(r, "classes") ?? "", Text(r, "text") ?? "", Text(r, "sessions"))).ToList());
        }

        public override string ToString() =>
            $"overall={Overall} updated={Updated} stale={Stale} banner={Banner}\n" +
            string.Join('\n', Rows.Select(r => $"  {r.Server} {r.Protocol} {r.Endpoint} state={r.State} sessions={r.Sessions}")) +
            "\nrecent:\n" + string.Join('\n', Recent.Select(r => "  " + r));

        private static string? Text(JsonElement element, string name) =>
            element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
    }
}
