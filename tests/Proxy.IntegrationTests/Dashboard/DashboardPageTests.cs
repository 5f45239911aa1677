using System.Net;
using System.Text.RegularExpressions;
using Proxy.IntegrationTests.Harness;
using Proxy.IntegrationTests.Host;
using Proxy.IntegrationTests.Infrastructure;

namespace Proxy.IntegrationTests.Dashboard;

/// <summary>
/// The dashboard's files over HTTP, as a browser or a reverse proxy sees them: types, caching,
/// the Content-Security-Policy, nothing fetched from another host, and off when disabled.
/// (DashboardBrowserTests runs the page itself in Chromium.)
/// </summary>
public sealed partial class DashboardPageTests(DashboardPageTests.ProxyFixture fixture) : IClassFixture<DashboardPageTests.ProxyFixture>
{
    private static readonly string[] PageFiles = ["/", "/dashboard/dashboard.css", "/dashboard/dashboard.js"];

    private readonly ProxyUnderTest _proxy = fixture.Proxy;

    [Fact]
    public async Task Root_ServesThePageWithStrictCsp_NoInlineScriptOrStyle()
    {
        var proxy = _proxy;
        using var http = Client();

        using var response = await http.GetAsync(Url(proxy, "/"));
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("utf-8", response.Content.Headers.ContentType?.CharSet);
        var csp = Assert.Single(response.Headers.GetValues("Content-Security-Policy"));
        Assert.StartsWith("default-src 'self'", csp);
        Assert.DoesNotContain("unsafe-inline", csp);
        Assert.True(response.Headers.CacheControl?.NoCache, "Cache-Control: no-cache");
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        // The hooks of docs/dashboard.md are in the page.
        foreach (var id in new[] { "overall-status", "last-updated", "totals", "recent", "configuration" })
        {
            Assert.Contains($"id=\"{id}\"", html);
        }

        // What the CSP would block: script with a body, event-handler and style attributes, style elements.
        Assert.All(ScriptTag().Matches(html), m => Assert.Matches("src=\"dashboard/dashboard\\.js\"", m.Value));
        Assert.DoesNotMatch(@"<script\b[^>]*>[^<]+</script>", html);
        Assert.DoesNotMatch(@"\s(style|on[a-z]+)\s*=", html);
        Assert.DoesNotContain("<style", html);
    }

    [Theory]
    [InlineData("/dashboard/dashboard.js", "text/javascript")]
    [InlineData("/dashboard/dashboard.css", "text/css")]
    [InlineData("/dashboard/favicon.svg", "image/svg+xml")]
    public async Task Assets_HaveTheirContentType_AndRevalidateWithETag(string path, string mediaType)
    {
        var proxy = _proxy;
        using var http = Client();

        using var response = await http.GetAsync(Url(proxy, path));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(mediaType, response.Content.Headers.ContentType?.MediaType);
        Assert.True(response.Headers.CacheControl?.NoCache, "Cache-Control: no-cache");
        Assert.NotEmpty(await response.Content.ReadAsByteArrayAsync());

        // no-cache means "ask again": an unchanged file costs a 304, not the bytes.
        using var again = new HttpRequestMessage(HttpMethod.Get, Url(proxy, path));
        again.Headers.IfNoneMatch.Add(response.Headers.ETag!);
        using var revalidated = await http.SendAsync(again);
        Assert.Equal(HttpStatusCode.NotModified, revalidated.StatusCode);
    }

    [Theory]
    [InlineData("/dashboard/missing.js")]
    [InlineData("/dashboard/index.html")]
    [InlineData("/dashboard/Proxy.Host.Dashboard.wwwroot.dashboard.js")]
    public async Task OtherPathsUnderDashboard_NotFound(string path)
    {
        var proxy = _proxy;
        using var http = Client();

        using var response = await http.GetAsync(Url(proxy, path));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task PageFiles_NameNoOtherHost_SoThePageWorksOffline()
    {
        var proxy = _proxy;
        using var http = Client();

        foreach (var path in PageFiles)
        {
            var text = await http.GetStringAsync(Url(proxy, path));
            Assert.True(text.Length > 500, $"{path} is served ({text.Length} characters)");
            Assert.DoesNotMatch("(?i)https?://", text);
            // A protocol-relative URL (//cdn.example/x.js) or @import would reach another host too.
            Assert.DoesNotMatch(@"(?i)(src|href)\s*=\s*[""']?//", text);
            Assert.DoesNotMatch(@"(?i)url\(\s*[""']?//", text);
            Assert.DoesNotContain("@import", text);
        }

        // Every reference of the page is relative to where the page is served.
        var html = await http.GetStringAsync(Url(proxy, "/"));
        Assert.All(Reference().Matches(html), m => Assert.Matches("^(dashboard/|api/v1/status$|health$|ready$)", m.Groups["url"].Value));
    }

    [Fact]
    public async Task DashboardDisabled_RootAndAssetsNotFound_HealthStillServed()
    {
        using var pki = TestPki.Create();
        await using var proxy = await ProxyUnderTest.StartAsync(
            HostAttempt.ValidTopology(), [], pki.CertificatePath, pki.KeyPath, new Dictionary<string, string?> { ["Proxy:Dashboard:Enabled"] = "false" });
        using var http = Client();

        foreach (var path in PageFiles)
        {
            using var response = await http.GetAsync(Url(proxy, path));
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }

        using var health = await http.GetAsync(Url(proxy, "/health"));
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    private static HttpClient Client() => new() { Timeout = TimeSpan.FromSeconds(10) };

    private static string Url(ProxyUnderTest proxy, string path) => $"http://127.0.0.1:{proxy.HttpPort}{path}";

    [GeneratedRegex(@"<script\b[^>]*>", RegexOptions.IgnoreCase)]
    private static partial Regex ScriptTag();

    [GeneratedRegex(@"\s(?:src|href)\s*=\s*""(?<url>[^""]*)""", RegexOptions.IgnoreCase)]
    private static partial Regex Reference();

    /// <summary>One proxy (no backends needed: the page does not depend on them) for the read-only tests.</summary>
    public sealed class ProxyFixture : IAsyncLifetime
    {
        private readonly TestPki _pki = TestPki.Create();

        public ProxyUnderTest Proxy { get; private set; } = null!;

        public async Task InitializeAsync() =>
            Proxy = await ProxyUnderTest.StartAsync(HostAttempt.ValidTopology(), [], _pki.CertificatePath, _pki.KeyPath);

        public async Task DisposeAsync()
        {
            if (Proxy is not null)
            {
                await Proxy.DisposeAsync();
            }

            _pki.Dispose();
        }
    }
}
