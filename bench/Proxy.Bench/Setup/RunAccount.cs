using System.Diagnostics;

namespace Proxy.Bench.Setup;

/// <summary>
/// The unprivileged account the Dovecot instances run as (Dovecot refuses uid 0 for mail):
/// the current user, or, as root, the system user <c>proxylab</c> that the lab and the
/// integration tests also use, entered through setpriv (which execs, so the pid is Dovecot's).
/// </summary>
internal sealed record RunAccount(string User, string Group, bool SwitchFromRoot)
{
    public const string LabUser = "proxylab";

    public static RunAccount Resolve()
    {
        if (!Environment.IsPrivilegedProcess)
        {
            return new RunAccount(Environment.UserName, Run("id", "-gn").Trim(), false);
        }

        if (TryRun("id", "-u", LabUser).ExitCode != 0)
        {
            var (code, output) = TryRun("useradd", "--system", "--user-group", "--no-create-home", "--home-dir", "/nonexistent", "--shell", "/usr/sbin/nologin", LabUser);
            if (code is not (0 or 9))
            {
                throw new InvalidOperationException($"useradd {LabUser} failed ({code}): {output}");
            }
        }

        return new RunAccount(LabUser, Run("id", "-gn", LabUser).Trim(), true);
    }

    /// <summary>The command line that runs <paramref name="fileName"/> as this account.</summary>
    public (string FileName, IReadOnlyList<string> Arguments) Command(string fileName, params string[] arguments) =>
        SwitchFromRoot
            ? ("setpriv", [$"--reuid={User}", $"--regid={Group}", "--clear-groups", fileName, .. arguments])
            : (fileName, arguments);

    public void TakeOwnership(string directory)
    {
        if (SwitchFromRoot)
        {
            Run("chown", "-R", $"{User}:{Group}", directory);
        }
    }

    private static string Run(string fileName, params string[] arguments)
    {
        var (code, output) = TryRun(fileName, arguments);
        return code == 0 ? output : throw new InvalidOperationException($"{fileName} {string.Join(' ', arguments)} failed ({code}): {output}");
    }

    private static (int ExitCode, string Output) TryRun(string fileName, params string[] arguments)
    {
        var start = new ProcessStartInfo(fileName) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output);
    }
}
