using System.Buffers.Text;

namespace Proxy.Bench.Client;

/// <summary>The few facts the load generator needs from an IMAP response line (RFC 9051 section 7).</summary>
internal static class ImapResponse
{
    public enum Status
    {
        None,
        Ok,
        No,
        Bad,
    }

    /// <summary>
    /// The byte count of the literal that ends <paramref name="line"/> (<c>{20971520}</c>, or
    /// the non-synchronising <c>{5+}</c>), or -1 when the line does not end in one.
    /// </summary>
    public static long LiteralLength(ReadOnlySpan<byte> line)
    {
        if (line.Length < 3 || line[^1] != '}')
        {
            return -1;
        }

        var open = line.LastIndexOf((byte)'{');
        if (open < 0)
        {
            return -1;
        }

        var digits = line[(open + 1)..^1];
        if (digits.Length > 0 && digits[^1] == '+')
        {
            digits = digits[..^1];
        }

        if (digits.Length is 0 or > 18)
        {
            return -1;
        }

        foreach (var b in digits)
        {
            if (b is < (byte)'0' or > (byte)'9')
            {
                return -1;
            }
        }

        return Utf8Parser.TryParse(digits, out long value, out var consumed) && consumed == digits.Length ? value : -1;
    }

    /// <summary>The status of <paramref name="line"/> when it is the tagged response for <paramref name="tag"/>, otherwise <see cref="Status.None"/>.</summary>
    public static Status TaggedStatus(ReadOnlySpan<byte> line, ReadOnlySpan<byte> tag)
    {
        if (line.Length < tag.Length + 3 || !line.StartsWith(tag) || line[tag.Length] != ' ')
        {
            return Status.None;
        }

        var rest = line[(tag.Length + 1)..];
        return StartsWithWord(rest, "OK"u8) ? Status.Ok
            : StartsWithWord(rest, "NO"u8) ? Status.No
            : StartsWithWord(rest, "BAD"u8) ? Status.Bad
            : Status.None;
    }

    /// <summary>An untagged <c>* OK</c> greeting (or <c>* PREAUTH</c>).</summary>
    public static bool IsGreeting(ReadOnlySpan<byte> line) =>
        StartsWithWord(line, "* OK"u8) || StartsWithWord(line, "* PREAUTH"u8);

    /// <summary>A command continuation request (<c>+ idling</c>, <c>+ OK</c>, or a bare <c>+</c>).</summary>
    public static bool IsContinuation(ReadOnlySpan<byte> line) => line.Length > 0 && line[0] == '+' && (line.Length == 1 || line[1] == ' ');

    private static bool StartsWithWord(ReadOnlySpan<byte> text, ReadOnlySpan<byte> word) =>
        text.StartsWith(word) && (text.Length == word.Length || text[word.Length] == ' ');
}
