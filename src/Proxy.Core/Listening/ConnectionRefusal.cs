namespace Proxy.Core.Listening;

/// <summary>Why a connection is refused in place of the greeting. Each protocol phrases it (IMAP <c>* BYE [UNAVAILABLE]</c>, POP3 <c>-ERR [SYS/TEMP]</c>).</summary>
public enum ConnectionRefusal
{
    /// <summary>The protocol's <c>MaxConnections</c> is reached (event 1101).</summary>
    MaxConnections,
    /// <summary>The client address's <c>MaxConnectionFromSingleIP</c> is reached (event 1103).</summary>
    MaxConnectionFromSingleIP,
}
