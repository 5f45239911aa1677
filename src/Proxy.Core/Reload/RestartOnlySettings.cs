using Proxy.Core.Configuration;

namespace Proxy.Core.Reload;

/// <summary>
/// The <see cref="ProxyOptions"/> that are read once at start: the listeners are bound, the
/// topology file is one of the configuration sources and the directory reads its file by the
/// path it started with. A reload keeps their running values and reports the change.
/// </summary>
internal static class RestartOnlySettings
{
    /// <summary>Copies the running values of the restart-only settings into <paramref name="candidate"/>.</summary>
    /// <returns>The keys whose value the candidate wanted changed.</returns>
    public static IReadOnlyList<string> KeepRunningValues(ProxyOptions running, ProxyOptions candidate)
    {
        var changed = new List<string>();
        if (!SameListeners(running.Imap.Listeners, candidate.Imap.Listeners))
        {
            changed.Add("Proxy:Imap:Listeners");
        }

        if (!SameListeners(running.Pop3.Listeners, candidate.Pop3.Listeners))
        {
            changed.Add("Proxy:Pop3:Listeners");
        }

        if (!string.Equals(running.TopologyFile, candidate.TopologyFile, StringComparison.Ordinal))
        {
            changed.Add("Proxy:TopologyFile");
        }

        if (!string.Equals(running.DirectoryFile, candidate.DirectoryFile, StringComparison.Ordinal))
        {
            changed.Add("Proxy:DirectoryFile");
        }

        candidate.Imap.Listeners = running.Imap.Listeners;
        candidate.Pop3.Listeners = running.Pop3.Listeners;
        candidate.TopologyFile = running.TopologyFile;
        candidate.DirectoryFile = running.DirectoryFile;
        return changed;
    }

    private static bool SameListeners(List<ListenerOptions> running, List<ListenerOptions> candidate) =>
        running.Count == candidate.Count
        && running.Zip(candidate).All(pair =>
            string.Equals(pair.First.Address.Trim(), pair.Second.Address.Trim(), StringComparison.OrdinalIgnoreCase)
            && pair.First.Port == pair.Second.Port
            && pair.First.ImplicitTls == pair.Second.ImplicitTls);
}
