using System.Globalization;

namespace Proxy.Bench.Measure;

/// <summary>One /proc/PID/stat line, the fields the benchmark uses (proc(5)).</summary>
internal readonly record struct ProcStat(int Pid, int ParentPid, long UserTicks, long SystemTicks, long ChildUserTicks, long ChildSystemTicks)
{
    /// <summary>CPU ticks of the process itself plus those of children it has waited for (exited workers).</summary>
    public long TotalTicks => UserTicks + SystemTicks + ChildUserTicks + ChildSystemTicks;
}

/// <summary>Parsers for the /proc text the samplers read; pure so they can be tested on captured text.</summary>
internal static class ProcText
{
    /// <summary>
    /// Parses /proc/PID/stat. The command name (field 2) is in parentheses and may itself hold
    /// spaces and parentheses, so fields are counted from the last ')'.
    /// </summary>
    public static ProcStat ParseStat(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var close = text.LastIndexOf(')');
        var space = text.IndexOf(' ', StringComparison.Ordinal);
        if (close < 0 || space < 0 || space > close)
        {
            throw new FormatException($"not a /proc/PID/stat line: '{text}'");
        }

        // After ')': field 3 (state) is index 0, so field N is index N - 3.
        var fields = text[(close + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length < 15)
        {
            throw new FormatException($"too few fields in /proc/PID/stat: '{text}'");
        }

        return new ProcStat(
            Pid: int.Parse(text.AsSpan(0, space), CultureInfo.InvariantCulture),
            ParentPid: int.Parse(fields[4 - 3], CultureInfo.InvariantCulture),
            UserTicks: long.Parse(fields[14 - 3], CultureInfo.InvariantCulture),
            SystemTicks: long.Parse(fields[15 - 3], CultureInfo.InvariantCulture),
            ChildUserTicks: long.Parse(fields[16 - 3], CultureInfo.InvariantCulture),
            ChildSystemTicks: long.Parse(fields[17 - 3], CultureInfo.InvariantCulture));
    }

    /// <summary>VmRSS from /proc/PID/status, in KiB; 0 when absent (a zombie or kernel thread).</summary>
    public static long ParseRssKib(string statusText)
    {
        ArgumentNullException.ThrowIfNull(statusText);
        foreach (var line in statusText.Split('\n'))
        {
            if (!line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                continue;
            }

            var parts = line["VmRSS:".Length..].Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length != 2 || parts[1] != "kB")
            {
                throw new FormatException($"unexpected VmRSS line: '{line}'");
            }

            return long.Parse(parts[0], CultureInfo.InvariantCulture);
        }

        return 0;
    }

    /// <summary>The roots and every process below them, given (pid, parent) pairs.</summary>
    public static IReadOnlySet<int> WithDescendants(IEnumerable<int> roots, IEnumerable<(int Pid, int ParentPid)> processes)
    {
        var children = processes.ToLookup(p => p.ParentPid, p => p.Pid);
        var found = new HashSet<int>();
        var pending = new Stack<int>(roots);
        while (pending.TryPop(out var pid))
        {
            if (found.Add(pid))
            {
                foreach (var child in children[pid])
                {
                    pending.Push(child);
                }
            }
        }

        return found;
    }
}
