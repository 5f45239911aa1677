using Proxy.Bench.Client;
using Proxy.Bench.Scenarios;
using Proxy.Bench.Setup;

namespace Proxy.Bench.Tests;

public class BenchArgumentsTests
{
    private static readonly string[] Required = ["--proxy-dll", "/tmp/Proxy.Host.dll", "--run-dir", "/tmp/run"];

    [Fact]
    public void Idle_sizes_replace_the_modes_session_counts_and_keep_full_mode()
    {
        var parsed = BenchArguments.Parse([.. Required, "--full", "--scenarios", "idle", "--idle-sizes", "9000"]);

        Assert.Null(parsed.Error);
        Assert.Equal([9_000], parsed.Settings.IdleSizes);
        Assert.Equal([9_000], parsed.Settings.IdlePeerSizes);
        // Still full mode: the full-only idle rows (STARTTLS->TLS, TLS->plain) are measured, the other bounds stay.
        Assert.True(parsed.Settings.IsFull);
        Assert.Equal(BenchSettings.Full.IdleSettle, parsed.Settings.IdleSettle);
        Assert.Equal(["idle"], parsed.Scenarios);
    }

    [Fact]
    public void Without_idle_sizes_the_mode_decides()
    {
        var parsed = BenchArguments.Parse([.. Required, "--full"]);

        Assert.Same(BenchSettings.Full, parsed.Settings);
        Assert.False(BenchArguments.Parse(Required).Settings.IsFull);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("10000")]
    [InlineData("1000,x")]
    [InlineData(",")]
    public void Idle_sizes_outside_what_the_machine_can_hold_are_refused(string sizes)
    {
        var parsed = BenchArguments.Parse([.. Required, "--idle-sizes", sizes]);

        Assert.Contains("--idle-sizes", parsed.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Cell_seconds_lengthen_login_and_bulk_cells_and_their_count_bounds()
    {
        var parsed = BenchArguments.Parse([.. Required, "--full", "--cell-seconds", "40"]);

        Assert.Null(parsed.Error);
        Assert.Equal(TimeSpan.FromSeconds(40), parsed.Settings.LoginCell);
        Assert.Equal(TimeSpan.FromSeconds(40), parsed.Settings.BulkCell);
        Assert.Equal(BenchSettings.Full.BulkMaxFetches * 10, parsed.Settings.BulkMaxFetches);
        Assert.Equal(BenchSettings.Full.NoopRoundTrips, parsed.Settings.NoopRoundTrips);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("301")]
    [InlineData("soon")]
    public void Cell_seconds_out_of_range_are_errors(string seconds)
    {
        Assert.Contains("--cell-seconds", BenchArguments.Parse([.. Required, "--cell-seconds", seconds]).Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Idle_settle_sets_the_wait_before_the_memory_sample_and_nothing_else()
    {
        var parsed = BenchArguments.Parse([.. Required, "--full", "--idle-settle", "45"]);

        Assert.Null(parsed.Error);
        Assert.Equal(TimeSpan.FromSeconds(45), parsed.Settings.IdleSettle);
        Assert.Equal(BenchSettings.Full with { IdleSettle = TimeSpan.FromSeconds(45) }, parsed.Settings);
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("601")]
    [InlineData("later")]
    public void Idle_settle_out_of_range_is_an_error(string seconds)
    {
        Assert.Contains("--idle-settle", BenchArguments.Parse([.. Required, "--idle-settle", seconds]).Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_arguments_and_scenarios_and_missing_paths_are_errors()
    {
        Assert.Contains("'--fast'", BenchArguments.Parse([.. Required, "--fast"]).Error, StringComparison.Ordinal);
        Assert.Contains("'soak'", BenchArguments.Parse([.. Required, "--scenarios", "idle,soak"]).Error, StringComparison.Ordinal);
        Assert.NotNull(BenchArguments.Parse(["--full"]).Error);
    }

    [Fact]
    public void Routes_select_rows_by_label_and_direct_always_stays()
    {
        var parsed = BenchArguments.Parse([.. Required, "--systems", "proxy", "--routes", "proxy plain->plain, Proxy TLS->TLS"]);
        var proxy = new MailSystem(MailSystem.Proxy, new MailPorts(1, 2, 3, 4), () => []);
        var haproxy = new MailSystem(MailSystem.Haproxy, new MailPorts(5, 6, 7, 8), () => []);
        var direct = new MailSystem(MailSystem.Direct, new MailPorts(9, 10, 11, 12), () => []);
        bool Selected(string label, MailSystem system) =>
            BenchContext.IsSelected(new Route(label, system, Security.Plain, [BenchUsers.IdlePlain]), parsed.Systems, parsed.Routes);

        Assert.True(Selected("proxy plain->plain", proxy));
        Assert.True(Selected("proxy TLS->TLS", proxy));
        Assert.False(Selected("proxy STARTTLS->TLS", proxy));
        Assert.False(Selected("proxy TLS->plain", proxy));
        Assert.False(Selected("haproxy plain", haproxy));
        Assert.True(Selected("direct (Dovecot itself)", direct));
    }

    [Fact]
    public void Without_routes_every_row_of_a_selected_system_is_measured()
    {
        var parsed = BenchArguments.Parse([.. Required, "--systems", "proxy", "--proxy-env", "DOTNET_gcServer=0"]);
        var proxy = new MailSystem(MailSystem.Proxy, new MailPorts(1, 2, 3, 4), () => []);

        Assert.True(BenchContext.IsSelected(new Route("proxy STARTTLS->TLS", proxy, Security.StartTls, [BenchUsers.IdleTls]), parsed.Systems, parsed.Routes));
        Assert.Equal("0", parsed.ProxyEnvironment["DOTNET_gcServer"]);
    }
}
