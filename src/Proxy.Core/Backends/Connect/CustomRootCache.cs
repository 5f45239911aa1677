using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Proxy.Core.Listening;

namespace Proxy.Core.Backends.Connect;

/// <summary>
/// The CA files of the topology's servers (<c>Tls:CaFile</c>), read once and kept while the file
/// stays as it was. Reading and parsing the PEM file on every backend handshake cost each TLS
/// login a file read and a certificate decode (docs/performance.md, finding 3); a replaced file
/// (new time, size or link target) is read again at the next handshake, so rotating a CA needs
/// no restart. Failures are never cached: the next handshake tries the file again.
/// </summary>
internal sealed class CustomRootCache
{
    private static readonly X509Certificate2Collection None = [];

    private readonly ConcurrentDictionary<string, (FileStamp Stamp, X509Certificate2Collection Roots)> _files = new(StringComparer.Ordinal);

    /// <summary>The certificates of <paramref name="caFile"/>; empty when none is configured. Not to be disposed: shared by every handshake.</summary>
    public X509Certificate2Collection Get(string? caFile)
    {
        if (string.IsNullOrEmpty(caFile))
        {
            return None;
        }

        var stamp = FileStamp.Of(caFile);
        if (stamp != FileStamp.None && _files.TryGetValue(caFile, out var cached) && cached.Stamp == stamp)
        {
            return cached.Roots;
        }

        var roots = new X509Certificate2Collection();
        try
        {
            roots.ImportFromPemFile(caFile);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException)
        {
            throw new BackendFailureException(BackendFailureKind.Tls, $"CA file '{caFile}' could not be read: {e.Message}", e);
        }

        // A replaced collection is left to the GC, not disposed: a handshake may still be using it.
        _files[caFile] = (stamp, roots);
        return roots;
    }
}
