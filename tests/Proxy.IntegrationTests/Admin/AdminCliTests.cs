using System.Diagnostics;
using Proxy.Host.Admin;
using Proxy.IntegrationTests.Harness;
using Proxy.IntegrationTests.Infrastructure;
using Proxy.IntegrationTests.Ordering;

namespace Proxy.IntegrationTests.Admin;

/// <summary><c>Proxy.Host admin …</c> against a running proxy: what an operator types and reads, and the exit codes.</summary>
public sealed class AdminCliTests(ClientAccessFixture fixture) : IClassFixture<ClientAccessFixture>
{
    private const string Token = "cli-test-token-0123456789";

    [Fact]
    public async Task Executable_AdminSessions_PrintsTheLoggedInUser()
    {
        await using var proxy = await AdminTopology.StartProxyAsync(fixture);
        await using var session = await AdminTopology.ImapSessionAsync(proxy, fixture, Topologies.Carol);

        var (exitCode, output, error) = await RunExecutableAsync("admin", "sessions", "--url", $"http://127.0.0.1:{proxy.HttpPort}");

        Assert.True(exitCode == 0, $"exit code {exitCode}: {error}");
        Assert.Contains(Topologies.Carol, output);
        Assert.Contains("relaying", output);
        Assert.EndsWith("1 session(s)", output.Trim());
    }

    [Fact]
    public async Task DrainServersUndrain_PrintsTheStateAndExitsZero()
    {
        await using var proxy = await AdminTopology.StartProxyAsync(fixture);
        var url = $"http://127.0.0.1:{proxy.HttpPort}";

        var drain = await RunAsync("drain", "HQ-CAS2007B", "--url", url);
        var endpoint = await RunAsync("drain", "HQ-CAS2007A/pop3/starttls", "--url", url, "--force");
        var servers = await RunAsync("servers", "--url", url);
        var undrain = await RunAsync("undrain", "HQ-CAS2007B", "--url", url);

        Assert.Equal((0, "HQ-CAS2007B is draining: no new sessions go there; 0 session(s) closing.\n"), (drain.ExitCode, drain.Output));
        Assert.Equal((0, "HQ-CAS2007A/pop3/starttls is draining: no new sessions go there; 0 session(s) closing.\n"), (endpoint.ExitCode, endpoint.Output));
        Assert.Equal(0, servers.ExitCode);
        var casB = Assert.Single(servers.Output.Split('\n'), line => line.StartsWith("HQ-CAS2007B", StringComparison.Ordinal));
        Assert.Matches(@"^HQ-CAS2007B\s+HQ\s+2007\s+yes\s+0\s+", casB);
        Assert.Contains("pop3/starttls 127.0.0.1:", Assert.Single(servers.Output.Split('\n'), line => line.StartsWith("HQ-CAS2007A", StringComparison.Ordinal)));
        Assert.Equal((0, "HQ-CAS2007B is not draining.\n"), (undrain.ExitCode, undrain.Output));
    }

    [Fact]
    public async Task Kick_PrintsHowManySessionsAreClosing()
    {
        await using var proxy = await AdminTopology.StartProxyAsync(fixture);
        await using var session = await AdminTopology.ImapSessionAsync(proxy, fixture, Topologies.Carol);

        var kick = await RunAsync("kick", Topologies.Carol, "--url", $"http://127.0.0.1:{proxy.HttpPort}");

        Assert.Equal((0, $"{Topologies.Carol}: 1 session(s) closing.\n"), (kick.ExitCode, kick.Output));
        Assert.True(await session.ClosedByPeerWithinAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task UnknownServer_ExitsOneWithTheApisError()
    {
        await using var proxy = await AdminTopology.StartProxyAsync(fixture);

        var result = await RunAsync("drain", "NO-SUCH-SERVER", "--url", $"http://127.0.0.1:{proxy.HttpPort}");

        Assert.Equal(AdminCommand.ExitApiError, result.ExitCode);
        Assert.Equal("", result.Output);
        Assert.Contains("404", result.Error);
        Assert.Contains("No server 'NO-SUCH-SERVER'", result.Error);
    }

    [Fact]
    public async Task TokenConfigured_WithoutTokenExitsFour_WithTokenFromOptionOrEnvironmentSucceeds()
    {
        await using var proxy = await AdminTopology.StartProxyAsync(fixture, settings: new Dictionary<string, string?> { ["Proxy:Admin:Token"] = Token });
        var url = $"http://127.0.0.1:{proxy.HttpPort}";

        var refused = await RunAsync("sessions", "--url", url);
        var withOption = await RunAsync("sessions", "--url", url, "--token", Token);
        var withEnvironment = await RunAsync(["sessions"], name => name switch
        {
            "PROXY_ADMIN_TOKEN" => Token,
            "PROXY_ADMIN_URL" => url,
            _ => null,
        });

        Assert.Equal(AdminCommand.ExitRefused, refused.ExitCode);
        Assert.Contains("401", refused.Error);
        Assert.Equal((0, "0 session(s)"), (withOption.ExitCode, withOption.Output.Split('\n')[^2]));
        Assert.Equal(0, withEnvironment.ExitCode);
    }

    [Fact]
    public async Task Json_PrintsTheApisBody()
    {
        await using var proxy = await AdminTopology.StartProxyAsync(fixture);

        var result = await RunAsync("servers", "--json", "--url", $"http://127.0.0.1:{proxy.HttpPort}");

        Assert.Equal(0, result.ExitCode);
        Assert.StartsWith("{\"servers\":[", result.Output);
    }

    [Fact]
    public async Task NothingListening_ExitsThree()
    {
        var result = await RunAsync("sessions", "--url", $"http://127.0.0.1:{FaultyBackend.ClosedPort()}");

        Assert.Equal(AdminCommand.ExitUnreachable, result.ExitCode);
        Assert.Contains("cannot reach the admin API", result.Error);
    }

    [Theory]
    [InlineData(new string[0], "no command")]
    [InlineData(new[] { "reboot" }, "unknown command 'reboot'")]
    [InlineData(new[] { "drain" }, "drain takes one argument")]
    [InlineData(new[] { "drain", "A/imap" }, "neither SERVER nor SERVER/PROTOCOL/METHOD")]
    [InlineData(new[] { "kick", "carol", "--force" }, "--force goes with drain only")]
    [InlineData(new[] { "sessions", "--url" }, "incomplete option '--url'")]
    [InlineData(new[] { "sessions", "--url", "ftp://x" }, "not an http:// or https:// URL")]
    public async Task BadCommandLine_ExitsTwoWithUsage(string[] args, string problem)
    {
        var result = await RunAsync(args, _ => null);

        Assert.Equal(AdminCommand.ExitUsage, result.ExitCode);
        Assert.Contains(problem, result.Error);
        Assert.Contains("usage: Proxy.Host admin", result.Error);
    }

    private static Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args) => RunAsync(args, _ => null);

    private static async Task<(int ExitCode, string Output, string Error)> RunAsync(string[] args, Func<string, string?> environment)
    {
        using var output = new StringWriter { NewLine = "\n" };
        using var error = new StringWriter { NewLine = "\n" };
        var exitCode = await AdminCommand.RunAsync(args, output, error, environment);
        return (exitCode, output.ToString(), error.ToString());
    }

    /// <summary>Runs <c>dotnet Proxy.Host.dll</c> (copied next to the test assembly) with bounded time.</summary>
    private static async Task<(int ExitCode, string Output, string Error)> RunExecutableAsync(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Proxy.Host.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("admin did not exit within 30 s");
        }

        return (process.ExitCode, await output, await error);
    }
}
