namespace Proxy.Protocols.Common;

/// <summary>What <see cref="LineReader.TryReadLine"/> found at the start of the buffer.</summary>
public enum LineStatus
{
    /// <summary>A whole line, without its terminator.</summary>
    Complete,
    /// <summary>No line end yet and the buffer is still within the limit: read more.</summary>
    Incomplete,
    /// <summary>The line is longer than the limit, or no line end within it. Nothing is consumed; the caller should drop the client.</summary>
    TooLong,
    /// <summary>A whole line that holds a NUL byte; it is consumed so the caller can answer and go on.</summary>
    ContainsNul,
}
