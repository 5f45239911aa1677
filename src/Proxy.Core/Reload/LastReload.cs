namespace Proxy.Core.Reload;

/// <summary>The outcome of the last configuration reload and when it finished.</summary>
public sealed record LastReload(DateTimeOffset At, ReloadReport Report);
