using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Proxy.Core.Configuration;
using Proxy.Core.Diagnostics;

namespace Proxy.Core.Listening;

/// <summary>
/// The proxy's own certificate (implicit TLS and STARTTLS), loaded from PEM
/// (certificate + key) or PFX. Null when none is configured: then STARTTLS is
/// not offered and implicit-TLS listeners refuse to start.
/// </summary>
internal sealed partial class FrontEndCertificate
{
    private readonly Lazy<X509Certificate2?> _certificate;

    public FrontEndCertificate(IOptions<ProxyOptions> options, ILogger<FrontEndCertificate> logger)
    {
        var tls = options.Value.Tls;
        _certificate = new Lazy<X509Certificate2?>(() => Load(tls, logger));
    }

    public X509Certificate2? Certificate => _certificate.Value;

    /// <summary>Loads the configured certificate; throws with the file and reason when it is configured but unusable.</summary>
    internal static X509Certificate2? Load(FrontEndTlsOptions tls, ILogger logger)
    {
        if (string.IsNullOrWhiteSpace(tls.CertificateFile))
        {
            return null;
        }

        try
        {
            var isPfx = tls.CertificateFile.EndsWith(".pfx", StringComparison.OrdinalIgnoreCase)
                || tls.CertificateFile.EndsWith(".p12", StringComparison.OrdinalIgnoreCase);
            if (isPfx)
            {
                return X509CertificateLoader.LoadPkcs12FromFile(tls.CertificateFile, tls.Password);
            }

            using var pem = X509Certificate2.CreateFromPemFile(tls.CertificateFile, tls.KeyFile);
            // An ephemeral PEM key is not usable by every TLS backend; a PKCS#12 round trip makes it persistent in memory.
            return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException or ArgumentException)
        {
            Log.CertificateNotFound(logger, tls.CertificateFile, ex.Message);
            throw new InvalidOperationException($"Proxy:Tls:CertificateFile: cannot load '{tls.CertificateFile}': {ex.Message}", ex);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 2007, EventName = nameof(EventIds.CertificateNotFound), Level = LogLevel.Error,
            Message = "The TLS certificate '{File}' could not be loaded: {Reason}")]
        public static partial void CertificateNotFound(ILogger logger, string file, string reason);
    }
}
