namespace Proxy.Core.Sessions.ProtocolLog;

/// <summary>When a protocol log starts a new file, besides <see cref="ProtocolLogOptions.LogPerFileSizeQuota"/>; Exchange's <c>LogFileRollOver</c> values.</summary>
public enum LogFileRollOver
{
    /// <summary>A new file every hour (UTC): <c>IMAP4yyyyMMddHH-N.LOG</c>.</summary>
    Hourly,
    /// <summary>A new file every day (UTC): <c>IMAP4yyyyMMdd-N.LOG</c>.</summary>
    Daily,
    /// <summary>A new file every week, starting Monday (UTC): named after the Monday, <c>IMAP4yyyyMMdd-N.LOG</c>.</summary>
    Weekly,
    /// <summary>A new file every month (UTC): <c>IMAP4yyyyMM-N.LOG</c>.</summary>
    Monthly,
}
