using System.Buffers;
using System.Text;
using Proxy.Protocols.Common;

namespace Proxy.Protocols.Pop3;

/// <summary>
/// Parses one POP3 command line (RFC 1939, 2449): a keyword of three or four
/// letters in any case, then arguments separated by single spaces, each at most
/// 40 characters. Two exceptions: PASS takes the rest of the line, spaces
/// included, because passwords hold spaces; AUTH's initial response (RFC 5034)
/// is base64 that may be much longer than 40 characters.
/// </summary>
public static class Pop3CommandParser
{
    public const int MaxArgumentLength = 40;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <param name="maxLineLength">Longest command line, without CRLF.</param>
    public static Pop3ParseStatus TryParse(
        in ReadOnlySequence<byte> buffer,
        int maxLineLength,
        out SequencePosition consumed,
        out SequencePosition examined,
        out Pop3Command? command,
        out string? error)
    {
        command = null;
        error = null;
        var status = LineReader.TryReadLine(buffer, maxLineLength, out var line, out consumed, out examined);
        switch (status)
        {
            case LineStatus.Incomplete:
                return Pop3ParseStatus.Incomplete;
            case LineStatus.TooLong:
                return Pop3ParseStatus.LineTooLong;
            case LineStatus.ContainsNul:
                error = "NUL byte in command line.";
                return Pop3ParseStatus.Malformed;
        }

        string text;
        try
        {
            text = StrictUtf8.GetString(line.IsSingleSegment ? line.FirstSpan : line.ToArray());
        }
        catch (DecoderFallbackException)
        {
            error = "Command line is not valid UTF-8.";
            return Pop3ParseStatus.Malformed;
        }

        command = Parse(text, out error);
        return command is null ? Pop3ParseStatus.Malformed : Pop3ParseStatus.Complete;
    }

    private static Pop3Command? Parse(string text, out string? error)
    {
        var space = text.IndexOf(' ');
        var keyword = space < 0 ? text : text[..space];
        if (keyword.Length is < 3 or > 4 || !keyword.All(char.IsAsciiLetter))
        {
            error = "Invalid command keyword.";
            return null;
        }

        keyword = keyword.ToUpperInvariant();
        if (space < 0)
        {
            error = null;
            return new Pop3Command(keyword, []);
        }

        var rest = text[(space + 1)..];
        if (keyword == "PASS")
        {
            // Spaces belong to the password; other control characters never do.
            if (rest.Length == 0 || rest.Any(c => char.IsControl(c) && c != '\t'))
            {
                error = "Invalid password argument.";
                return null;
            }

            error = null;
            return new Pop3Command(keyword, [rest]);
        }

        var arguments = rest.Split(' ');
        foreach (var argument in arguments)
        {
            if (argument.Length == 0 || argument.Any(char.IsControl))
            {
                error = "Invalid argument.";
                return null;
            }
        }

        var limited = keyword == "AUTH" ? arguments.Take(1) : arguments;
        if (limited.Any(a => a.Length > MaxArgumentLength))
        {
            error = "Argument too long.";
            return null;
        }

        error = null;
        return new Pop3Command(keyword, arguments);
    }
}
