using System.Diagnostics;

namespace Proxy.Bench.Setup;

/// <summary>
/// A server the benchmark started in the foreground (Dovecot -F, nginx "daemon off",
/// haproxy -db, the proxy): output to a log file, its pid recorded in the run directory
/// so a run that died can be cleaned up by the next one, stopped with its whole tree.
/// </summary>
internal sealed class ChildProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StreamWriter _log;
    private readonly string _pidFile;

    private ChildProcess(string name, Process process, StreamWriter log, string pidFile)
    {
        Name = name;
        _process = process;
        _log = log;
        _pidFile = pidFile;
    }

    public string Name { get; }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public string LogPath { get; private init; } = "";

    public static ChildProcess Start(string name, string runDirectory, string fileName, IEnumerable<string> arguments, string? workingDirectory = null, IDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(fileName)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            WorkingDirectory = workingDirectory ?? runDirectory,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        var logPath = Path.Combine(runDirectory, $"{name}.out.log");
        var log = new StreamWriter(logPath, append: false) { AutoFlush = true };
        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Append(log, e.Data);
        process.ErrorDataReceived += (_, e) => Append(log, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var pidFile = Path.Combine(runDirectory, "pids", $"{name}.pid");
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(pidFile)!);
        File.WriteAllText(pidFile, process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return new ChildProcess(name, process, log, pidFile) { LogPath = logPath };
    }

    /// <summary>
    /// Kills what a previous, crashed run left behind: each pid file whose process still runs a
    /// command line naming this run directory (so a recycled pid is never touched).
    /// </summary>
    public static void KillLeftovers(string runDirectory)
    {
        var pids = Path.Combine(runDirectory, "pids");
        if (!System.IO.Directory.Exists(pids))
        {
            return;
        }

        foreach (var file in System.IO.Directory.EnumerateFiles(pids, "*.pid"))
        {
            string text;
            try
            {
                text = File.ReadAllText(file);
            }
            catch (FileNotFoundException)
            {
                // Its process ended (and removed it) meanwhile: a run still finishing in the same directory.
                continue;
            }

            if (int.TryParse(text.Trim(), System.Globalization.CultureInfo.InvariantCulture, out var pid) && CommandLineNames(pid, runDirectory))
            {
                try
                {
                    using var process = Process.GetProcessById(pid);
                    process.Kill(entireProcessTree: true);
                    process.WaitForExit(5000);
                }
                catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
                {
                    // Gone meanwhile.
                }
            }

            File.Delete(file);
        }
    }

    public string Tail(int lines = 20)
    {
        try
        {
            using var stream = new FileStream(LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            return string.Join('\n', new StreamReader(stream).ReadToEnd().Split('\n').TakeLast(lines));
        }
        catch (IOException)
        {
            return "";
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                await _process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is InvalidOperationException or OperationCanceledException or System.ComponentModel.Win32Exception)
        {
            // Already gone, or stuck: nothing more the benchmark can do.
        }

        _process.Dispose();
        File.Delete(_pidFile);
        lock (_log)
        {
            _log.Dispose();
        }
    }

    private static bool CommandLineNames(int pid, string text)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ').Contains(text, StringComparison.Ordinal);
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static void Append(StreamWriter log, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (log)
        {
            try
            {
                log.WriteLine(line);
            }
            catch (ObjectDisposedException)
            {
                // Output after the process was disposed.
            }
        }
    }
}
