using System.Diagnostics;

namespace Proxy.IntegrationTests.Infrastructure;

/// <summary>
/// The unprivileged account a Dovecot instance runs as. Dovecot refuses uid 0 for mail,
/// and a root master would need the system users dovecot/dovenull, chroots and mail
/// ownership right. Instead the whole instance always runs unprivileged: as the current
/// user when the tests are not root, and as the system user <c>proxylab</c> (created on
/// demand) through <c>setpriv</c> when they are — the same configuration either way.
/// </summary>
internal sealed record DovecotAccount(string User, string Group, bool SwitchFromRoot)
{
    public const string LabUser = "proxylab";

    private static readonly Lazy<Task<DovecotAccount>> Current = new(ResolveAsync);

    public static Task<DovecotAccount> GetAsync() => Current.Value;

    /// <summary>Hands the instance directory to the account (no-op when not root).</summary>
    public async Task TakeOwnershipAsync(string directory)
    {
        if (SwitchFromRoot)
        {
            await RunAsync("chown", "-R", $"{User}:{Group}", directory);
        }
    }

    public ProcessStartInfo CreateStartInfo(string dovecotPath, params string[] arguments)
    {
        var start = new ProcessStartInfo
        {
            FileName = SwitchFromRoot ? "setpriv" : dovecotPath,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (SwitchFromRoot)
        {
            // setpriv execs, so the started process is the Dovecot master itself.
            foreach (var argument in new[] { $"--reuid={User}", $"--regid={Group}", "--clear-groups", dovecotPath })
            {
                start.ArgumentList.Add(argument);
            }
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        return start;
    }

    private static async Task<DovecotAccount> ResolveAsync()
    {
        if (!Environment.IsPrivilegedProcess)
        {
            return new DovecotAccount(Environment.UserName, (await RunAsync("id", "-gn")).Trim(), false);
        }

        if ((await TryRunAsync("id", "-u", LabUser)).ExitCode != 0)
        {
            var (exitCode, output) = await TryRunAsync(
                "useradd", "--system", "--user-group", "--no-create-home",
                "--home-dir", "/nonexistent", "--shell", "/usr/sbin/nologin", LabUser);

            // 9: created meanwhile by a parallel test run.
            if (exitCode is not (0 or 9))
            {
                throw new InvalidOperationException($"useradd {LabUser} failed ({exitCode}): {output}");
            }
        }

        return new DovecotAccount(LabUser, (await RunAsync("id", "-gn", LabUser)).Trim(), true);
    }

    private static async Task<string> RunAsync(string fileName, params string[] arguments)
    {
        var (exitCode, output) = await TryRunAsync(fileName, arguments);
        return exitCode == 0
            ? output
            : throw new InvalidOperationException($"{fileName} {string.Join(' ', arguments)} failed ({exitCode}): {output}");
    }

    private static async Task<(int ExitCode, string Output)> TryRunAsync(string fileName, params string[] arguments)
    {
        var start = new ProcessStartInfo(fileName, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout + await stderr);
    }
}
