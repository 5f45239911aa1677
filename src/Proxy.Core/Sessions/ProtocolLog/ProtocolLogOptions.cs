namespace Proxy.Core.Sessions.ProtocolLog;

/// <summary>
/// The per-session protocol log of one protocol (<c>Proxy:Imap:ProtocolLog</c>, <c>Proxy:Pop3:ProtocolLog</c>),
/// with the names of Exchange's <c>Set-ImapSettings</c>/<c>Set-PopSettings</c> parameters. A sub-section
/// rather than flat keys because two of them (<see cref="MaxAge"/>, <see cref="MaxDirectorySize"/>) are not
/// POP/IMAP settings in Exchange (they come from its log-path settings), and they belong together.
/// Every value applies on reload: the writer reads them before each batch.
/// </summary>
public sealed class ProtocolLogOptions
{
    /// <summary>Write the log. Rows are only made for sessions that start while it is on.</summary>
    /// <remarks>Defaults to false, as Exchange.</remarks>
    public bool ProtocolLogEnabled { get; set; }

    /// <summary>The folder of the log files; relative paths are relative to the content root. Created at the first row.</summary>
    /// <remarks>Defaults to <c>logs/Imap4</c> (IMAP) and <c>logs/Pop3</c> (POP3).</remarks>
    public string? LogFileLocation { get; set; }

    /// <remarks>Defaults to <see cref="LogFileRollOver.Daily"/>.</remarks>
    public LogFileRollOver LogFileRollOverSettings { get; set; } = LogFileRollOver.Daily;

    /// <summary>Largest size of one file in bytes; the next row that would pass it starts a new file. 0 means no limit.</summary>
    /// <remarks>Defaults to 10 MB (10485760).</remarks>
    public long LogPerFileSizeQuota { get; set; } = 10 * 1024 * 1024;

    /// <summary>Files last written longer ago than this are deleted (at start and whenever a new file is started).</summary>
    /// <remarks>Defaults to 30 days.</remarks>
    public TimeSpan MaxAge { get; set; } = TimeSpan.FromDays(30);

    /// <summary>Largest total size of the protocol's log files in bytes; past it the oldest are deleted first. 0 means no limit.</summary>
    /// <remarks>Defaults to 1 GB (1073741824).</remarks>
    public long MaxDirectorySize { get; set; } = 1024L * 1024 * 1024;
}
