using Proxy.Core.Reload;

namespace Proxy.Host;

/// <summary>
/// <c>Urls</c> is read once: the HTTP endpoints are bound at start. A reload that finds it
/// changed warns that the change waits for a restart.
/// </summary>
/// <remarks>
/// The host's <c>UseUrls()</c> blanks <c>Urls</c> in every configuration provider, so the
/// value cannot be read back through the configuration. Instead each provider's value is
/// kept from before the blanking, and a provider is compared only once it has reloaded
/// (its value is no longer the blank one).
/// </remarks>
internal sealed class HttpUrlsSetting : IRestartOnlySetting
{
    private const string UrlsKey = "Urls";

    private readonly IConfigurationRoot _root;
    private readonly Dictionary<IConfigurationProvider, string?> _atStart;

    /// <summary>Call after every source is added and before <c>UseUrls()</c>.</summary>
    public HttpUrlsSetting(IConfigurationRoot root)
    {
        _root = root;
        _atStart = root.Providers.ToDictionary(p => p, p => p.TryGet(UrlsKey, out var value) ? value : null);
    }

    public string Key => UrlsKey;

    public bool HasChanged() => _root.Providers.Any(provider =>
    {
        var before = _atStart.GetValueOrDefault(provider);
        if (!provider.TryGet(UrlsKey, out var now))
        {
            return !string.IsNullOrEmpty(before);
        }

        return !string.IsNullOrEmpty(now) && !string.Equals(now, before, StringComparison.Ordinal);
    });
}
