using Proxy.Core.Configuration;

namespace Proxy.Core.Listening;

/// <summary>
/// One configured certificate (the default one or an entry of <c>Proxy:Tls:Certificates</c>)
/// and what is in force for it now. <see cref="Current"/> is swapped whole, so a handshake
/// never sees half a reload; sessions already running keep the certificate they started with.
/// </summary>
internal sealed class CertificateSource
{
    private readonly string? _password;
    private volatile LoadedCertificate _current;
    private CertificateFilesStamp _stamp;

    private CertificateSource(string key, string certificateFile, string? keyFile, string? password, IReadOnlyList<string> hostNames)
    {
        Key = key;
        CertificateFile = certificateFile;
        KeyFile = string.IsNullOrWhiteSpace(keyFile) ? null : keyFile;
        _password = password;
        HostNames = hostNames;

        // Stamped before reading: a write that lands during the read changes the stamp again and is picked up next time.
        _stamp = CertificateFilesStamp.Of(CertificateFile, KeyFile);
        _current = CertificateFileLoader.Load(Key, CertificateFile, KeyFile, _password);
    }

    /// <summary>The configuration key of the entry: <c>Proxy:Tls</c> or <c>Proxy:Tls:Certificates:N</c>.</summary>
    public string Key { get; }

    public string CertificateFile { get; }

    public string? KeyFile { get; }

    /// <summary>The SNI names this certificate answers; empty for the default certificate.</summary>
    public IReadOnlyList<string> HostNames { get; }

    public LoadedCertificate Current => _current;

    /// <exception cref="CertificateLoadException">The certificate cannot be loaded.</exception>
    public static CertificateSource LoadDefault(FrontEndTlsOptions options) =>
        new("Proxy:Tls", options.CertificateFile!, options.KeyFile, options.Password, []);

    /// <exception cref="CertificateLoadException">The certificate cannot be loaded.</exception>
    public static CertificateSource LoadSni(int index, SniCertificateOptions options) =>
        new($"Proxy:Tls:Certificates:{index}", options.CertificateFile!, options.KeyFile, options.Password, options.HostNames);

    /// <summary>
    /// Loads the files again when their stamps changed. A file that does not load leaves the
    /// current certificate in force and is not tried again until it changes once more.
    /// </summary>
    public CertificateReloadResult ReloadIfChanged()
    {
        var stamp = CertificateFilesStamp.Of(CertificateFile, KeyFile);
        if (stamp == _stamp)
        {
            return CertificateReloadResult.Unchanged;
        }

        _stamp = stamp;
        try
        {
            // The previous certificate is not disposed: a handshake in flight may still use it; the GC reclaims it.
            _current = CertificateFileLoader.Load(Key, CertificateFile, KeyFile, _password);
            return CertificateReloadResult.Reloaded;
        }
        catch (CertificateLoadException ex)
        {
            return CertificateReloadResult.Failed(ex);
        }
    }
}

/// <summary>What one check of a <see cref="CertificateSource"/> found.</summary>
internal sealed record CertificateReloadResult(bool Changed, CertificateLoadException? Error)
{
    public static readonly CertificateReloadResult Unchanged = new(false, null);

    public static readonly CertificateReloadResult Reloaded = new(true, null);

    public static CertificateReloadResult Failed(CertificateLoadException error) => new(true, error);
}
