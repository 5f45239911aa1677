using System.Diagnostics;
using Proxy.Core.Directory;

namespace Proxy.IntegrationTests.Host;

/// <summary>The <c>hash-password</c> verb of the real executable, as an operator runs it.</summary>
public sealed class HashPasswordVerbTests
{
    [Fact]
    public async Task HashPassword_PasswordOnStdin_PrintsHashThatVerifies()
    {
        const string password = "Correct horse \"battery\" staple!";

        var (exitCode, output, error) = await RunHostAsync(password + "\n", "hash-password", "--iterations", "1000");

        Assert.True(exitCode == 0, $"exit code {exitCode}: {error}");
        var hash = output.Trim();
        Assert.True(PasswordHasher.Verify(password, hash), $"'{hash}' does not verify");
        Assert.False(PasswordHasher.Verify("wrong", hash));
        Assert.DoesNotContain(password, output);
    }

    [Fact]
    public async Task HashPassword_EmptyStdin_FailsWithUsageOnStderr()
    {
        var (exitCode, output, error) = await RunHostAsync("", "hash-password");

        Assert.NotEqual(0, exitCode);
        Assert.Equal("", output.Trim());
        Assert.Contains("no password", error);
    }

    /// <summary>Runs <c>dotnet Proxy.Host.dll</c> (copied next to the test assembly) with bounded time.</summary>
    private static async Task<(int ExitCode, string Output, string Error)> RunHostAsync(string stdin, params string[] args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "Proxy.Host.dll");
        Assert.True(File.Exists(dll), $"{dll} is missing");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(dll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.StandardInput.WriteAsync(stdin);
        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("hash-password did not exit within 30 s");
        }

        return (process.ExitCode, await output, await error);
    }
}
