namespace Proxy.Core.Configuration;

/// <summary>How configuration changes reach the running proxy (see docs/configuration.md, "Reload").</summary>
public sealed class ReloadOptions
{
    /// <summary>
    /// Apply edits of the configuration files, the topology file and the directory file
    /// as soon as they are saved. When false, edits wait for <c>SIGHUP</c>, so several
    /// files can be changed and then applied together.
    /// </summary>
    /// <remarks>Defaults to true.</remarks>
    public bool WatchFiles { get; set; } = true;
}
