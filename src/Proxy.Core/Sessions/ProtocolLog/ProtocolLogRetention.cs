namespace Proxy.Core.Sessions.ProtocolLog;

/// <summary>
/// Deletes a protocol's old log files: first those last written before <see cref="ProtocolLogOptions.MaxAge"/>,
/// then the oldest until the total fits <see cref="ProtocolLogOptions.MaxDirectorySize"/>. The file being
/// written is never deleted. Only files named like this protocol's logs are touched.
/// </summary>
internal static class ProtocolLogRetention
{
    /// <returns>The files deleted, and the first error met (the rest are still tried).</returns>
    public static (IReadOnlyList<string> Deleted, Exception? Error) Apply(string directory, string prefix, ProtocolLogOptions options, DateTimeOffset now, string? current)
    {
        var deleted = new List<string>();
        Exception? error = null;
        if (!System.IO.Directory.Exists(directory))
        {
            return (deleted, null);
        }

        var files = new DirectoryInfo(directory).GetFiles(prefix + "*.LOG")
            .Where(f => ProtocolLogFile.IsLogName(f.Name, prefix) && !string.Equals(f.FullName, current, StringComparison.Ordinal))
            .OrderBy(f => f.LastWriteTimeUtc)
            .ThenBy(f => f.Name, StringComparer.Ordinal)
            .ToList();
        var total = files.Sum(f => f.Length) + (current is not null && File.Exists(current) ? new FileInfo(current).Length : 0);
        var oldest = now.UtcDateTime - options.MaxAge;
        foreach (var file in files)
        {
            var tooOld = file.LastWriteTimeUtc < oldest;
            var tooBig = options.MaxDirectorySize > 0 && total > options.MaxDirectorySize;
            if (!tooOld && !tooBig)
            {
                continue;
            }

            try
            {
                var length = file.Length;
                file.Delete();
                total -= length;
                deleted.Add(file.Name);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                error ??= ex;
            }
        }

        return (deleted, error);
    }
}
