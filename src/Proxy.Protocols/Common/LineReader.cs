using System.Buffers;

namespace Proxy.Protocols.Common;

/// <summary>
/// Reads one CRLF-terminated line with a maximum length. A bare LF also ends a
/// line (as Dovecot accepts), because some clients send one; a CR just before
/// the LF is stripped. The search never looks past the limit, so a client that
/// never sends a line end cannot make the caller buffer without bound.
/// </summary>
public static class LineReader
{
    /// <param name="maxLength">Longest line accepted, not counting its CRLF.</param>
    /// <param name="line">The line without its terminator (Complete and ContainsNul).</param>
    /// <param name="consumed">After the terminator for Complete and ContainsNul, otherwise the buffer start.</param>
    /// <param name="examined">Where the caller may say it has looked up to.</param>
    public static LineStatus TryReadLine(
        in ReadOnlySequence<byte> buffer,
        int maxLength,
        out ReadOnlySequence<byte> line,
        out SequencePosition consumed,
        out SequencePosition examined)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxLength);

        line = default;
        consumed = buffer.Start;
        examined = buffer.End;

        // maxLength content bytes plus CR and LF is the furthest a valid line end can be.
        var window = Math.Min(buffer.Length, (long)maxLength + 2);
        var lineFeed = buffer.Slice(0, window).PositionOf((byte)'\n');
        if (lineFeed is null)
        {
            return buffer.Length >= (long)maxLength + 2 ? LineStatus.TooLong : LineStatus.Incomplete;
        }

        var content = buffer.Slice(0, lineFeed.Value);
        if (!content.IsEmpty && content.Slice(content.Length - 1).FirstSpan[0] == (byte)'\r')
        {
            content = content.Slice(0, content.Length - 1);
        }

        if (content.Length > maxLength)
        {
            return LineStatus.TooLong;
        }

        line = content;
        consumed = buffer.GetPosition(1, lineFeed.Value);
        examined = consumed;
        return content.PositionOf((byte)0) is null ? LineStatus.Complete : LineStatus.ContainsNul;
    }
}
