using Proxy.Core.Configuration;

namespace Proxy.Core.Reload;

/// <summary>
/// The <see cref="ProxyOptions"/> read once at start: the listeners are bound, the topology
/// file is one of the configuration sources, the directory reads its file by the path it
/// started with, the front-end certificates are set up from <c>Proxy:Tls</c> (their files
/// reload by themselves), the password-check slots are counted once, the exporters are
/// built at start, and the host's shutdown timeout is set from the drain time. A reload keeps their running values and reports the change.
/// </summary>
internal static class RestartOnlySettings
{
    private static readonly string[] Keys =
    [
        "Proxy:Imap:Listeners",
        "Proxy:Pop3:Listeners",
        "Proxy:TopologyFile",
        "Proxy:DirectoryFile",
        "Proxy:Tls",
        "Proxy:PasswordVerification:MaxConcurrency",
        "Proxy:Telemetry",
        // The host's own shutdown timeout is derived from it once, at start (ProxyHost).
        "Proxy:ShutdownDrainTimeout",
        // The dashboard's routes are mapped and its event buffer sized once, at start (ProxyHost).
        "Proxy:Dashboard",
    ];

    /// <summary>The restart-only setting a changed key belongs to, or null when it applies at once.</summary>
    public static string? Of(string changedKey) =>
        Keys.FirstOrDefault(key => changedKey == key || changedKey.StartsWith(key + ":", StringComparison.Ordinal));

    /// <summary>Copies the running values of the restart-only settings into <paramref name="candidate"/>.</summary>
    public static void KeepRunningValues(ProxyOptions running, ProxyOptions candidate)
    {
        candidate.Imap.Listeners = running.Imap.Listeners;
        candidate.Pop3.Listeners = running.Pop3.Listeners;
        candidate.TopologyFile = running.TopologyFile;
        candidate.DirectoryFile = running.DirectoryFile;
        candidate.Tls = running.Tls;
        candidate.PasswordVerification.MaxConcurrency = running.PasswordVerification.MaxConcurrency;
        candidate.Telemetry = running.Telemetry;
        candidate.ShutdownDrainTimeout = running.ShutdownDrainTimeout;
        candidate.Dashboard = running.Dashboard;
    }
}
