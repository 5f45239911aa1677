namespace Proxy.Core.Reload;

/// <summary>What one reload did. Parts are <c>options</c>, <c>topology</c>, <c>directory</c> and <c>configuration files</c>.</summary>
/// <param name="Changed">Parts now in force with new content; options with the keys that changed, e.g. <c>options (Proxy:Imap:LoginType)</c>.</param>
/// <param name="Refused">Parts whose new content was invalid; their previous content stays in force.</param>
/// <param name="Errors">Why the refused parts were refused, each naming its key or file.</param>
/// <param name="RestartRequired">Keys whose change was not applied because it needs a restart.</param>
public sealed record ReloadReport(
    ReloadTrigger Trigger,
    IReadOnlyList<string> Changed,
    IReadOnlyList<string> Refused,
    IReadOnlyList<string> Errors,
    IReadOnlyList<string> RestartRequired)
{
    public bool Succeeded => Refused.Count == 0;
}
