using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Proxy.Core.Configuration;
using Proxy.Core.Diagnostics;

namespace Proxy.Core.Listening;

/// <summary>
/// The proxy's own certificates for implicit TLS and STARTTLS: the default one
/// (<c>Proxy:Tls:CertificateFile</c>) and those chosen by SNI (<c>Proxy:Tls:Certificates</c>),
/// each from PEM or PFX, loaded on first use and reloaded when their files change. Without a
/// default certificate STARTTLS is not offered and implicit-TLS listeners refuse to start.
/// </summary>
internal sealed partial class FrontEndCertificate : IDisposable
{
    private readonly FrontEndTlsOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lazy<CertificateSet?> _set;

    public FrontEndCertificate(IOptions<ProxyOptions> options, TimeProvider time, ILogger<FrontEndCertificate> logger)
    {
        _options = options.Value.Tls;
        _time = time;
        _logger = logger;
        _set = new Lazy<CertificateSet?>(Load);
    }

    /// <summary>Whether a default certificate is configured, i.e. whether TLS can be offered at all.</summary>
    public bool IsConfigured => !string.IsNullOrWhiteSpace(_options.CertificateFile);

    /// <summary>
    /// The default certificate in force now; null when none is configured. The first use loads
    /// every configured certificate and throws with the keys and files that cannot be loaded.
    /// </summary>
    public X509Certificate2? Certificate => _set.Value?.Default.Current.Certificate;

    /// <summary>
    /// The handshake parameters for a client that asked for <paramref name="serverName"/> (SNI;
    /// null when it sent none): implicit TLS and STARTTLS both choose here.
    /// </summary>
    public SslServerAuthenticationOptions ServerOptions(string? serverName)
    {
        var set = _set.Value ?? throw new InvalidOperationException("Proxy:Tls:CertificateFile is not configured");
        var source = set.ByServerName.Find(serverName);
        if (source is null)
        {
            if (set.ByServerName.Count > 0 && !string.IsNullOrEmpty(serverName))
            {
                Log.ServerNameNotMatched(_logger, serverName);
            }

            source = set.Default;
        }

        return TlsSettings.ServerOptions(source.Current.Context, _options.AllowLegacyCipherSuites);
    }

    public void Dispose()
    {
        if (_set.IsValueCreated)
        {
            _set.Value?.Reloader.Dispose();
        }
    }

    private CertificateSet? Load()
    {
        if (!IsConfigured)
        {
            return null;
        }

        var errors = new List<CertificateLoadException>();
        var defaultSource = TryLoad(() => CertificateSource.LoadDefault(_options), errors);
        var sniSources = _options.Certificates.Select((entry, i) => TryLoad(() => CertificateSource.LoadSni(i, entry), errors)).ToList();
        if (errors.Count > 0)
        {
            foreach (var error in errors)
            {
                Log.CertificateNotFound(_logger, error.Key, error.File, error.Reason);
            }

            // Start-up maps this to exit code 2 with the message (event 3003).
            throw new InvalidOperationException(string.Join("; ", errors.Select(e => e.Message)));
        }

        var byServerName = new ServerNameMap<CertificateSource>();
        foreach (var source in sniSources.OfType<CertificateSource>())
        {
            foreach (var hostName in source.HostNames)
            {
                // Duplicates are refused by validation; were one to get here, the first entry keeps the name.
                byServerName.TryAdd(hostName, source);
            }
        }

        if (_options.AllowLegacyCipherSuites)
        {
            Log.LegacyCipherSuitesAllowed(_logger);
        }

        var reloader = new CertificateReloader([defaultSource!, .. sniSources.OfType<CertificateSource>()], _time, _options.ReloadCheckInterval, _options.ExpiryWarningDays, _logger);
        reloader.Start();
        return new CertificateSet(defaultSource!, byServerName, reloader);
    }

    private static CertificateSource? TryLoad(Func<CertificateSource> load, List<CertificateLoadException> errors)
    {
        try
        {
            return load();
        }
        catch (CertificateLoadException ex)
        {
            errors.Add(ex);
            return null;
        }
    }

    private sealed record CertificateSet(CertificateSource Default, ServerNameMap<CertificateSource> ByServerName, CertificateReloader Reloader);

    private static partial class Log
    {
        [LoggerMessage(EventId = 2007, EventName = nameof(EventIds.CertificateNotFound), Level = LogLevel.Error,
            Message = "The TLS certificate of {Key} could not be loaded from {File}: {Reason}")]
        public static partial void CertificateNotFound(ILogger logger, string key, string file, string reason);

        [LoggerMessage(EventId = 3015, EventName = nameof(EventIds.TlsServerNameNotMatched), Level = LogLevel.Debug,
            Message = "No certificate is configured for the server name {ServerName} a client asked for; the default certificate is used")]
        public static partial void ServerNameNotMatched(ILogger logger, string serverName);

        [LoggerMessage(EventId = 3017, EventName = nameof(EventIds.TlsLegacyCipherSuitesAllowed), Level = LogLevel.Warning,
            Message = "Proxy:Tls:AllowLegacyCipherSuites is true: clients may negotiate TLS 1.2 cipher suites with AES-CBC")]
        public static partial void LegacyCipherSuitesAllowed(ILogger logger);
    }
}
