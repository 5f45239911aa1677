namespace Proxy.Core.Listening;

/// <summary>
/// What a file looks like from outside (where it really is, its time and size), to tell
/// that it changed without reading it. A symbolic link is followed to its final target, so
/// a swapped link (Kubernetes secret volumes, certbot's live/ folder) counts as a change.
/// </summary>
internal readonly record struct FileStamp(string? Target, DateTime LastWriteUtc, long Length)
{
    public static readonly FileStamp None = new(null, default, -1);

    public static FileStamp Of(string? path)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            return None;
        }

        try
        {
            var file = new FileInfo(path);
            if (file.LinkTarget is not null && file.ResolveLinkTarget(returnFinalTarget: true) is FileInfo target)
            {
                file = target;
            }

            return file.Exists ? new FileStamp(file.FullName, file.LastWriteTimeUtc, file.Length) : None;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            // Unreadable now: a change like any other; the load that follows says why.
            return None;
        }
    }
}

/// <summary>The stamps of a certificate file and its key file together.</summary>
internal readonly record struct CertificateFilesStamp(FileStamp Certificate, FileStamp Key)
{
    public static CertificateFilesStamp Of(string certificateFile, string? keyFile) => new(FileStamp.Of(certificateFile), FileStamp.Of(keyFile));
}
