using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using Proxy.Core.Configuration;
using Proxy.Core.Diagnostics;
using Proxy.Core.Discovery;
using Proxy.Core.Listening;

namespace Proxy.Core.Backends.Connect;

/// <summary>
/// Secures a backend connection: the one handshake and certificate policy used for
/// implicit TLS and for STARTTLS/STLS alike, so both are validated the same way.
/// </summary>
internal sealed partial class BackendTls(ILogger logger)
{
    private const SslProtocols MinimumProtocols = SslProtocols.Tls12 | SslProtocols.Tls13;

    private readonly CustomRootCache _customRoots = new();

    /// <summary>Handshakes over <paramref name="inner"/>; the returned stream owns it. Throws <see cref="BackendFailureException"/> (Tls).</summary>
    public async Task<SslStream> AuthenticateAsync(Stream inner, ConnectionAttempt attempt, CancellationToken cancellationToken)
    {
        var tls = attempt.Server.Tls;
        var customRoots = _customRoots.Get(tls.CaFile);
        var ssl = new SslStream(inner, leaveInnerStreamOpen: false);
        SslPolicyErrors? rejected = null;
        var options = new SslClientAuthenticationOptions
        {
            // An IP address here is validated against the certificate's IP SANs and, as TLS wants, sent without SNI.
            TargetHost = tls.ServerName ?? attempt.Endpoint.Host,
            EnabledSslProtocols = MinimumProtocols,
            // With a CA file, SslStream builds its chain against that file alone: a store of a few
            // certificates. Otherwise it first built one against the system store (OpenSSL comparing
            // names across every system root: the largest single cost of a TLS backend login in a
            // profile, docs/performance.md finding 9) and the proxy a second against the CA file.
            // A certificate that does not chain to the CA file is still tried against the system roots.
            CertificateChainPolicy = customRoots.Count > 0 ? CustomRootPolicy(customRoots) : null,
            RemoteCertificateValidationCallback = (_, certificate, chain, errors) =>
            {
                var valid = Validate(attempt, customRoots, certificate, chain, errors);
                rejected = valid ? null : errors;
                return valid;
            },
        };
        try
        {
            await ssl.AuthenticateAsClientAsync(options, cancellationToken).ConfigureAwait(false);
            TlsIdleBuffers.Release(ssl);
            return ssl;
        }
        catch (Exception e) when (e is AuthenticationException or IOException)
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            // SslStream only says "rejected by the callback"; the health state and the attempt log want to know why.
            var reason = rejected is { } errors ? $"certificate rejected ({errors})" : e.Message;
            throw new BackendFailureException(BackendFailureKind.Tls, $"TLS handshake failed: {reason}", e);
        }
        catch
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private bool Validate(
        ConnectionAttempt attempt,
        X509Certificate2Collection customRoots,
        X509Certificate? certificate,
        X509Chain? chain,
        SslPolicyErrors errors)
    {
        var tls = attempt.Server.Tls;
        if (tls.AcceptAnyCertificate)
        {
            return true;
        }

        if (certificate is X509Certificate2 presented)
        {
            // A pinned thumbprint is the administrator vouching for exactly this certificate, name and chain included.
            if (MatchesThumbprint(presented, tls.Thumbprint))
            {
                return true;
            }

            if (errors == SslPolicyErrors.None)
            {
                return true;
            }

            // Validated against the CA file, only a chain it does not anchor can still be rescued by the
            // system's roots (trusted as before the CA file was the first choice): a wrong name or no
            // certificate stays fatal.
            if (customRoots.Count > 0
                && errors == SslPolicyErrors.RemoteCertificateChainErrors
                && ChainsToSystemRoot(presented, chain))
            {
                return true;
            }
        }

        Log.CertificateRejected(
            logger,
            attempt.Server.Name,
            attempt.Endpoint.ToString(),
            certificate?.Subject ?? "(none)",
            errors,
            DescribeChain(chain));
        return false;
    }

    private static bool MatchesThumbprint(X509Certificate2 certificate, string? thumbprint)
    {
        if (string.IsNullOrWhiteSpace(thumbprint))
        {
            return false;
        }

        var wanted = new string(thumbprint.Where(Uri.IsHexDigit).ToArray());
        return string.Equals(wanted, certificate.GetCertHashString(HashAlgorithmName.SHA256), StringComparison.OrdinalIgnoreCase)
            || string.Equals(wanted, certificate.GetCertHashString(HashAlgorithmName.SHA1), StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>A new policy per handshake: SslStream adds the backend's intermediates to the one it is given.</summary>
    private static X509ChainPolicy CustomRootPolicy(X509Certificate2Collection customRoots)
    {
        var policy = new X509ChainPolicy
        {
            TrustMode = X509ChainTrustMode.CustomRootTrust,
            RevocationMode = X509RevocationMode.NoCheck,
        };
        policy.CustomTrustStore.AddRange(customRoots);
        return policy;
    }

    private static bool ChainsToSystemRoot(X509Certificate2 certificate, X509Chain? presentedChain)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (presentedChain is not null)
        {
            // The intermediates the backend sent.
            chain.ChainPolicy.ExtraStore.AddRange(presentedChain.ChainPolicy.ExtraStore);
        }

        try
        {
            return chain.Build(certificate);
        }
        finally
        {
            // The chain's element certificates are new objects over native handles that X509Chain does not
            // dispose: left to the finalizer, one login's worth piles up per TLS handshake.
            foreach (var element in chain.ChainElements)
            {
                element.Certificate.Dispose();
            }
        }
    }

    private static string DescribeChain(X509Chain? chain) =>
        chain is null || chain.ChainStatus.Length == 0
            ? "-"
            : string.Join(", ", chain.ChainStatus.Select(s => s.Status).Distinct());

    private static partial class Log
    {
        [LoggerMessage(EventId = 3305, EventName = nameof(EventIds.BackendCertificateRejected), Level = LogLevel.Warning,
            Message = "Backend {Server} at {Endpoint}: certificate '{Subject}' rejected ({PolicyErrors}; chain: {ChainStatus}). Configure Tls:CaFile or Tls:Thumbprint for this server to trust it.")]
        public static partial void CertificateRejected(
            ILogger logger, string server, string endpoint, string subject, SslPolicyErrors policyErrors, string chainStatus);
    }
}
