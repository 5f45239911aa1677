namespace Proxy.Core.Reload;

/// <summary>What started a reload; named in the reload events.</summary>
public enum ReloadTrigger
{
    /// <summary>A watched file was written, replaced or removed (<c>Proxy:Reload:WatchFiles</c>).</summary>
    FileChange,

    /// <summary>The process received SIGHUP.</summary>
    Signal,

    /// <summary>Asked for in code, e.g. by an admin endpoint.</summary>
    Request,
}
