namespace Proxy.Core.Reload;

/// <summary>
/// The one owner of configuration reload: the options (<c>Proxy</c>), the topology and the
/// directory file. File changes reach it by themselves; SIGHUP (and anything else that wants
/// a reload now) calls <see cref="Reload"/>.
/// </summary>
public interface IConfigurationReloader
{
    /// <summary>
    /// Reads every configuration file and the directory file again, applies each part that
    /// validates and keeps the previous content of each part that does not. Logs the outcome
    /// (3020 applied, 3021 refused, 3022 needs a restart) and returns it.
    /// </summary>
    ReloadReport Reload(ReloadTrigger trigger);
}
