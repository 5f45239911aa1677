using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Proxy.Core.Listening;

/// <summary>
/// Reads a certificate with its private key from PEM (key in its own file or in the
/// certificate file, optionally encrypted) or PKCS#12 (PFX). The format is told by the
/// content, not the file name: certbot's <c>.pem</c> and cert-manager's <c>tls.crt</c> are PEM.
/// Certificates after the first in a PEM file (a "fullchain") and the certificates of a PFX
/// without a key are sent to clients as the chain.
/// </summary>
internal static class CertificateFileLoader
{
    private static readonly byte[] PemMarker = "-----BEGIN "u8.ToArray();

    /// <param name="key">The configuration key of the entry, e.g. <c>Proxy:Tls</c>; errors name its <c>CertificateFile</c> or <c>KeyFile</c>.</param>
    /// <exception cref="CertificateLoadException">A file is missing or unreadable, the password is wrong, or the key does not match.</exception>
    public static LoadedCertificate Load(string key, string certificateFile, string? keyFile, string? password)
    {
        var certificateKey = $"{key}:CertificateFile";
        var bytes = Read(certificateKey, certificateFile, File.ReadAllBytes);
        var isPem = bytes.AsSpan().IndexOf(PemMarker) >= 0;
        var keyPem = isPem && !string.IsNullOrWhiteSpace(keyFile) ? Read($"{key}:KeyFile", keyFile, File.ReadAllText) : null;
        try
        {
            var (leaf, chain) = isPem ? FromPem(Encoding.ASCII.GetString(bytes), keyPem, password) : FromPkcs12(bytes, password);
            return new LoadedCertificate(leaf, SslStreamCertificateContext.Create(leaf, chain, offline: true));
        }
        catch (Exception ex) when (ex is CryptographicException or ArgumentException or InvalidOperationException)
        {
            // The messages of these name no secret ("the password may be incorrect", "the key does not match").
            var file = keyPem is null ? certificateFile : $"{certificateFile}' with key '{keyFile}";
            throw new CertificateLoadException(certificateKey, file, ex.Message, ex);
        }
    }

    private static (X509Certificate2 Leaf, X509Certificate2Collection Chain) FromPem(string certificatePem, string? keyPem, string? password)
    {
        // Without a key file the key is looked for in the certificate file itself.
        keyPem ??= certificatePem;
        using var ephemeral = string.IsNullOrEmpty(password)
            ? X509Certificate2.CreateFromPem(certificatePem, keyPem)
            : X509Certificate2.CreateFromEncryptedPem(certificatePem, keyPem, password);

        // A key made from PEM is ephemeral, which not every TLS backend (Windows SChannel) accepts; a PKCS#12 round trip fixes that everywhere.
        var leaf = X509CertificateLoader.LoadPkcs12(ephemeral.Export(X509ContentType.Pkcs12), null);
        var all = new X509Certificate2Collection();
        all.ImportFromPem(certificatePem);
        var chain = new X509Certificate2Collection();
        foreach (var certificate in all)
        {
            if (certificate.RawDataMemory.Span.SequenceEqual(leaf.RawDataMemory.Span))
            {
                certificate.Dispose();
            }
            else
            {
                chain.Add(certificate);
            }
        }

        return (leaf, chain);
    }

    private static (X509Certificate2 Leaf, X509Certificate2Collection Chain) FromPkcs12(byte[] bytes, string? password)
    {
        var all = X509CertificateLoader.LoadPkcs12Collection(bytes, password);
        var leaf = all.FirstOrDefault(c => c.HasPrivateKey)
            ?? throw new InvalidOperationException("the PKCS#12 file holds no certificate with a private key");
        all.Remove(leaf);
        return (leaf, all);
    }

    private static T Read<T>(string key, string file, Func<string, T> read)
    {
        try
        {
            return read(file);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new CertificateLoadException(key, file, ex.Message, ex);
        }
    }
}
