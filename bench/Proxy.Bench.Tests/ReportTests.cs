using Proxy.Bench.Report;

namespace Proxy.Bench.Tests;

public class ReportTests
{
    [Theory]
    [InlineData(1234.5, "1235")]
    [InlineData(12.345, "12.3")]
    [InlineData(1.2345, "1.23")]
    [InlineData(0.12345, "0.123")]
    [InlineData(-45.67, "-45.7")]
    [InlineData(null, "-")]
    [InlineData(double.NaN, "-")]
    public void Figures_keep_about_three_significant_digits(double? value, string expected) => Assert.Equal(expected, TextTable.Figure(value));

    [Theory]
    [InlineData(85.0, 100.0, "0.85x")]
    [InlineData(300.0, 100.0, "3.00x")]
    [InlineData(1.0, 0.0, "-")]
    [InlineData(null, 100.0, "-")]
    [InlineData(1.0, null, "-")]
    public void Ratios(double? value, double? baseline, string expected) => Assert.Equal(expected, TextTable.Ratio(value, baseline));

    [Fact]
    public void A_table_aligns_its_columns_and_lists_why_a_row_is_na()
    {
        var table = new TextTable("Demo", "route", "MB/s");
        table.Row("direct", "1000");
        table.NotApplicableRow("nginx TLS->TLS", "nginx cannot speak TLS to a backend");

        var lines = table.Render().Split('\n');

        Assert.Equal("== Demo ==", lines[0]);
        Assert.Equal("route           MB/s", lines[1]);
        Assert.Equal("direct          1000", lines[3]);
        Assert.Equal("nginx TLS->TLS   n/a", lines[4]);
        Assert.Equal("  * nginx TLS->TLS: n/a, nginx cannot speak TLS to a backend", lines[5]);
        Assert.Throws<ArgumentException>(() => table.Row("only one cell"));
    }

    [Fact]
    public void Targets_are_judged_on_the_runs_figures()
    {
        var results = new Results();
        foreach (var protocol in new[] { "IMAP", "POP3" })
        {
            results.Add("bulk", $"plaintext {protocol}", "direct", "mb_per_s", 1000);
            results.Add("bulk", $"plaintext {protocol}", "proxy", "mb_per_s", 900);
            results.Add("bulk", $"plaintext {protocol}", "nginx", "mb_per_s", 950);
            results.Add("bulk", $"plaintext {protocol}", "dovecot-proxy", "mb_per_s", 800);
            results.Add("bulk", $"plaintext {protocol}", "proxy", "cpu_s_per_gb", 2.0);
            results.Add("bulk", $"plaintext {protocol}", "haproxy", "cpu_s_per_gb", 1.0);
            results.Add("noop", $"plaintext {protocol}", "direct", "p50_us", 50);
            results.Add("noop", $"plaintext {protocol}", "proxy", "p50_us", 120);
        }

        var checks = Targets.Evaluate(results, BenchSettings.Short).ToDictionary(c => c.Target);

        Assert.True(checks["Bulk throughput, plaintext both sides: >= 0.85 x direct"].Met);
        Assert.Equal("IMAP 0.90x, POP3 0.90x", checks["Bulk throughput, plaintext both sides: >= 0.85 x direct"].Measured);
        Assert.False(checks["Bulk throughput, plaintext: >= nginx's and >= Dovecot proxy's"].Met);
        Assert.True(checks["Added NOOP round trip, p50 < 100 us over direct (plaintext)"].Met);
        Assert.False(checks["CPU s/GB relayed < 1.5 x HAProxy's (plaintext)"].Met);
        Assert.Null(checks["Login rate >= 1.2 x nginx and Dovecot proxy (cache warm, same plaintext backend leg as the peers)"].Met);
    }

    [Fact]
    public void The_login_cost_table_shows_cpu_per_login_against_direct_and_the_backends_share()
    {
        var results = new Results();
        results.Add("login", "IMAP c=16", "direct", "cpu_ms_per_login", 4.0);
        results.Add("login", "IMAP c=16", "direct", "backend_cpu_ms_per_login", 4.0);
        results.Add("login", "IMAP c=16", "proxy TLS->plain", "cpu_ms_per_login", 3.0);
        results.Add("login", "IMAP c=16", "proxy TLS->plain", "backend_cpu_ms_per_login", 1.5);
        results.NotApplicable("login", "IMAP c=16", "nginx TLS->plain", "logins_per_s", "not selected");

        var lines = Scenarios.LoginRateScenario.CpuTable(results, imap: true, ["direct", "proxy TLS->plain", "nginx TLS->plain"], [16]).Render().Split('\n');

        Assert.Equal("== Login cost, IMAP: CPU milliseconds per login of the serving system ==", lines[0]);
        Assert.Contains("c=16 CPU ms/login (x direct)", lines[1]);
        Assert.Matches(@"^direct\s+4\.00 \(1\.00x\)\s+4\.00$", lines[3]);
        Assert.Matches(@"^proxy TLS->plain\s+3\.00 \(0\.75x\)\s+1\.50$", lines[4]);
        Assert.Matches(@"^nginx TLS->plain\s+n/a\s+n/a$", lines[5]);
    }
}
