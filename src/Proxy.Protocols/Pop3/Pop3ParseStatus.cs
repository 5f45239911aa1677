namespace Proxy.Protocols.Pop3;

/// <summary>What <see cref="Pop3CommandParser.TryParse"/> returned.</summary>
public enum Pop3ParseStatus
{
    Complete,
    Incomplete,
    /// <summary>Longer than the limit; nothing is consumed and the caller should close.</summary>
    LineTooLong,
    /// <summary>The line is consumed but is not a valid command (NUL, bad keyword, bad arguments).</summary>
    Malformed,
}
