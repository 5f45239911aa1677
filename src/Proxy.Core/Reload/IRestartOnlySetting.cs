namespace Proxy.Core.Reload;

/// <summary>
/// A setting outside <c>Proxy</c> that the host reads once at start (the HTTP <c>Urls</c>).
/// After each configuration reload the reloader asks whether it changed and, if so, warns
/// that the change waits for a restart (event 3022).
/// </summary>
public interface IRestartOnlySetting
{
    /// <summary>The configuration key, as the warning names it.</summary>
    string Key { get; }

    /// <summary>True when the configuration now asks for another value than the one in force.</summary>
    bool HasChanged();
}
