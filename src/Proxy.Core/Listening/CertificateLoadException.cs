namespace Proxy.Core.Listening;

/// <summary>A configured certificate that cannot be used: which key, which file, why (never the password).</summary>
internal sealed class CertificateLoadException(string key, string file, string reason, Exception? inner = null)
    : Exception($"{key}: cannot load '{file}': {reason}", inner)
{
    /// <summary>The configuration key naming the file, e.g. <c>Proxy:Tls:Certificates:0:KeyFile</c>.</summary>
    public string Key { get; } = key;

    public string File { get; } = file;

    public string Reason { get; } = reason;
}
