using System.Globalization;
using System.Text;

namespace Proxy.Core.Sessions.ProtocolLog;

/// <summary>
/// The file a protocol log is written to, named as Exchange names them (<c>IMAP4yyyyMMdd-N.LOG</c>):
/// a new file when the roll-over period changes, when the next row would pass the size quota, or when
/// the folder changes on reload. Each file starts with the header. Used by one writer loop only.
/// </summary>
internal sealed class ProtocolLogFile(string prefix, string logType, TimeProvider timeProvider) : IDisposable
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    private StreamWriter? _writer;
    private string? _directory;
    private string? _period;
    private int _number;
    private long _size;
    private bool _hasRows;

    /// <summary>The full path of the open file, or null.</summary>
    public string? CurrentPath { get; private set; }

    /// <summary>Called after a new file is opened, with its path (retention and logging hook).</summary>
    public Action<string, string>? Opened { get; set; }

    /// <summary>The period part of a file name for <paramref name="rollOver"/> at <paramref name="now"/> (UTC).</summary>
    public static string Period(LogFileRollOver rollOver, DateTimeOffset now)
    {
        var utc = now.UtcDateTime;
        return rollOver switch
        {
            LogFileRollOver.Hourly => utc.ToString("yyyyMMddHH", CultureInfo.InvariantCulture),
            LogFileRollOver.Weekly => utc.Date.AddDays(-(((int)utc.DayOfWeek + 6) % 7)).ToString("yyyyMMdd", CultureInfo.InvariantCulture),
            LogFileRollOver.Monthly => utc.ToString("yyyyMM", CultureInfo.InvariantCulture),
            _ => utc.ToString("yyyyMMdd", CultureInfo.InvariantCulture),
        };
    }

    /// <summary>True for <c>{prefix}{digits}-{digits}.LOG</c>: the files this log writes and may delete.</summary>
    public static bool IsLogName(string name, string prefix)
    {
        if (!name.StartsWith(prefix, StringComparison.Ordinal) || !name.EndsWith(".LOG", StringComparison.Ordinal))
        {
            return false;
        }

        var middle = name.AsSpan(prefix.Length, name.Length - prefix.Length - 4);
        var dash = middle.IndexOf('-');
        return dash > 0 && dash < middle.Length - 1 && IsDigits(middle[..dash]) && IsDigits(middle[(dash + 1)..]);
    }

    /// <summary>Appends one formatted row, starting a new file first when one is due. Throws on disk errors.</summary>
    public void Write(string line, string directory, ProtocolLogOptions options)
    {
        var now = timeProvider.GetUtcNow();
        var period = Period(options.LogFileRollOverSettings, now);
        var bytes = Utf8.GetByteCount(line);
        if (_writer is null || period != _period || !string.Equals(directory, _directory, StringComparison.Ordinal))
        {
            Open(directory, period, now, next: false);
        }
        else if (options.LogPerFileSizeQuota > 0 && _hasRows && _size + bytes > options.LogPerFileSizeQuota)
        {
            Open(directory, period, now, next: true);
        }

        _writer!.Write(line);
        _size += bytes;
        _hasRows = true;
    }

    public void Flush() => _writer?.Flush();

    /// <summary>Closes the file (after a disk error, so the next batch starts afresh; or at shutdown).</summary>
    public void Close()
    {
        var writer = _writer;
        _writer = null;
        CurrentPath = null;
        try
        {
            writer?.Dispose();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The file is being abandoned after an error; its lost tail is counted by the caller.
        }
    }

    public void Dispose() => Close();

    private static bool IsDigits(ReadOnlySpan<char> text) => !text.IsEmpty && !text.ContainsAnyExcept("0123456789");

    private void Open(string directory, string period, DateTimeOffset now, bool next)
    {
        Close();
        System.IO.Directory.CreateDirectory(directory);

        // Never append to a file written before (another run, another process): a fresh number, a fresh header.
        var number = next && period == _period && directory == _directory ? _number + 1 : 1;
        number = Math.Max(number, HighestNumber(directory, period) + 1);
        var path = Path.Combine(directory, string.Create(CultureInfo.InvariantCulture, $"{prefix}{period}-{number}.LOG"));
        var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read | FileShare.Delete, bufferSize: 1);
        var writer = new StreamWriter(stream, Utf8, bufferSize: 64 * 1024);
        var header = ProtocolLogCsv.Header(logType, now);
        writer.Write(header);
        _writer = writer;
        _directory = directory;
        _period = period;
        _number = number;
        _size = Utf8.GetByteCount(header);
        _hasRows = false;
        CurrentPath = path;
        Opened?.Invoke(directory, path);
    }

    private int HighestNumber(string directory, string period)
    {
        var highest = 0;
        var start = prefix + period + "-";
        foreach (var file in System.IO.Directory.EnumerateFiles(directory, start + "*.LOG"))
        {
            var name = Path.GetFileName(file);
            if (int.TryParse(name.AsSpan(start.Length, name.Length - start.Length - 4), NumberStyles.None, CultureInfo.InvariantCulture, out var n))
            {
                highest = Math.Max(highest, n);
            }
        }

        return highest;
    }
}
