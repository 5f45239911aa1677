using System.Buffers;
using System.Text;
using Proxy.Protocols.Common;

namespace Proxy.Protocols.Imap;

/// <summary>
/// Incremental parser for the commands a client sends before login (RFC 9051
/// subset: atoms, quoted strings, literals with LITERAL+ (RFC 7888), NIL and
/// lists). A command is a run of line segments joined by literals, so the
/// parser keeps the command in progress between calls: it stops at each literal
/// announcement to let the caller check the size and send the continuation for
/// a synchronizing literal before the client sends the bytes.
/// One instance serves one connection; it is not thread-safe.
/// </summary>
public sealed class ImapCommandParser
{
    private const int MaxListDepth = 8;

    // Before login the largest command is ID with 30 field/value pairs (RFC 2971). The cap keeps
    // a line of thousands of one-letter atoms from costing a hundred times its length in objects.
    private const int MaxArguments = 100;
    private const int MaxLiteralDigits = 10;

    private readonly int _maxLineLength;
    private readonly int _maxLiteralTotal;
    private readonly List<ImapArgument> _arguments = [];
    private readonly Stack<List<ImapArgument>> _openLists = new();
    private string? _tag;
    private string? _name;
    private int _textLength;
    private long _literalTotal;
    private long _pendingLiteral = -1;
    private int _argumentCount;

    /// <param name="maxLineLength">Most command text (all segments together, literals excluded) in bytes.</param>
    /// <param name="maxLiteralSize">
    /// Most literal bytes in one command (all literals together), so that one
    /// command holds at most this much however many literals it announces.
    /// </param>
    public ImapCommandParser(int maxLineLength, int maxLiteralSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxLineLength);
        ArgumentOutOfRangeException.ThrowIfNegative(maxLiteralSize);
        _maxLineLength = maxLineLength;
        _maxLiteralTotal = maxLiteralSize;
    }

    /// <summary>The tag of the command the last result is about, when it got that far.</summary>
    public string? Tag { get; private set; }

    /// <summary>Why the last result was <see cref="ImapParseStatus.Malformed"/>.</summary>
    public string? Error { get; private set; }

    /// <summary>
    /// The malformed line ended with a LITERAL+ announcement (<c>{n+}</c>): the client sends the
    /// literal's bytes without waiting, and they would be read as commands. The caller cannot
    /// tell where the abandoned command ends, so it should close the session.
    /// </summary>
    public bool AbandonedLiteral { get; private set; }

    /// <summary>Size of the literal of the last <see cref="ImapParseStatus.LiteralAnnounced"/> or <see cref="ImapParseStatus.LiteralTooLarge"/>.</summary>
    public long LiteralSize { get; private set; }

    /// <summary>Whether that literal was synchronizing (<c>{n}</c>) rather than LITERAL+ (<c>{n+}</c>).</summary>
    public bool LiteralIsSynchronizing { get; private set; }

    /// <summary>Drops any command in progress.</summary>
    public void Reset()
    {
        _arguments.Clear();
        _openLists.Clear();
        _tag = null;
        _name = null;
        _textLength = 0;
        _literalTotal = 0;
        _pendingLiteral = -1;
        _argumentCount = 0;
    }

    public ImapParseStatus TryParse(
        in ReadOnlySequence<byte> buffer,
        out SequencePosition consumed,
        out SequencePosition examined,
        out ImapCommand? command)
    {
        command = null;
        consumed = buffer.Start;
        examined = buffer.Start;
        Error = null;
        AbandonedLiteral = false;
        var remaining = buffer;

        while (true)
        {
            if (_pendingLiteral >= 0)
            {
                if (remaining.Length < _pendingLiteral)
                {
                    examined = buffer.End;
                    return ImapParseStatus.Incomplete;
                }

                var data = remaining.Slice(0, _pendingLiteral).ToArray();
                CurrentList.Add(ImapArgument.Literal(data));
                remaining = remaining.Slice(_pendingLiteral);
                consumed = remaining.Start;
                examined = consumed;
                _pendingLiteral = -1;
            }

            var lineStatus = LineReader.TryReadLine(remaining, _maxLineLength - _textLength, out var line, out var lineEnd, out _);
            switch (lineStatus)
            {
                case LineStatus.Incomplete:
                    examined = buffer.End;
                    return ImapParseStatus.Incomplete;
                case LineStatus.TooLong:
                    Tag = _tag;
                    Reset();
                    examined = buffer.End;
                    return ImapParseStatus.LineTooLong;
                case LineStatus.ContainsNul:
                    consumed = examined = lineEnd;
                    return Fail("NUL byte in command line.");
            }

            consumed = examined = lineEnd;
            remaining = remaining.Slice(lineEnd);
            _textLength += (int)line.Length;

            var segment = line.IsSingleSegment ? line.FirstSpan : line.ToArray();
            var result = ParseSegment(segment, out var literalSize, out var synchronizing, out var error);
            switch (result)
            {
                case SegmentResult.Complete:
                    command = new ImapCommand(_tag!, _name!, [.. _arguments]);
                    Tag = _tag;
                    Reset();
                    return ImapParseStatus.Complete;
                case SegmentResult.Error:
                    AbandonedLiteral = EndsWithLiteralPlus(segment);
                    return Fail(error!);
            }

            Tag = _tag;
            LiteralSize = literalSize;
            LiteralIsSynchronizing = synchronizing;
            if (literalSize > _maxLiteralTotal - _literalTotal)
            {
                Reset();
                return ImapParseStatus.LiteralTooLarge;
            }

            _literalTotal += literalSize;
            _pendingLiteral = literalSize;
            return ImapParseStatus.LiteralAnnounced;
        }
    }

    private List<ImapArgument> CurrentList => _openLists.Count > 0 ? _openLists.Peek() : _arguments;

    private ImapParseStatus Fail(string error)
    {
        Tag = _tag;
        Error = error;
        Reset();
        return ImapParseStatus.Malformed;
    }

    private SegmentResult ParseSegment(ReadOnlySpan<byte> s, out long literalSize, out bool synchronizing, out string? error)
    {
        literalSize = 0;
        synchronizing = false;
        error = null;
        var i = 0;

        if (_tag is null)
        {
            var tagLength = Count(s, ImapSyntax.IsTagChar);
            if (tagLength == 0 || (tagLength < s.Length && s[tagLength] != (byte)' '))
            {
                error = "Missing or invalid tag.";
                return SegmentResult.Error;
            }

            _tag = Encoding.ASCII.GetString(s[..tagLength]);
            i = tagLength;
            if (i == s.Length || s[i] != (byte)' ')
            {
                error = "Missing command.";
                return SegmentResult.Error;
            }

            i++;
            var nameLength = Count(s[i..], ImapSyntax.IsAtomChar);
            if (nameLength == 0)
            {
                error = "Missing or invalid command name.";
                return SegmentResult.Error;
            }

            _name = Encoding.ASCII.GetString(s.Slice(i, nameLength)).ToUpperInvariant();
            i += nameLength;
        }

        // Every segment starts after a token (the command name or a literal), so a separator comes first.
        var needSeparator = true;
        while (true)
        {
            if (i == s.Length)
            {
                if (_openLists.Count > 0)
                {
                    error = "Unterminated list.";
                    return SegmentResult.Error;
                }

                return SegmentResult.Complete;
            }

            var c = s[i];
            if (c == (byte)')')
            {
                if (_openLists.Count == 0)
                {
                    error = "Unexpected ')'.";
                    return SegmentResult.Error;
                }

                var items = _openLists.Pop();
                CurrentList.Add(ImapArgument.List(items));
                i++;
                needSeparator = true;
                continue;
            }

            if (needSeparator)
            {
                if (c != (byte)' ')
                {
                    error = "Expected a space between arguments.";
                    return SegmentResult.Error;
                }

                i++;
                if (i == s.Length)
                {
                    error = "Trailing space.";
                    return SegmentResult.Error;
                }

                c = s[i];
                if (c == (byte)')')
                {
                    error = "Unexpected space before ')'.";
                    return SegmentResult.Error;
                }
            }

            if (++_argumentCount > MaxArguments)
            {
                error = "Too many arguments.";
                return SegmentResult.Error;
            }

            switch (c)
            {
                case (byte)'(':
                    if (_openLists.Count == MaxListDepth)
                    {
                        error = "Lists nested too deeply.";
                        return SegmentResult.Error;
                    }

                    _openLists.Push([]);
                    i++;
                    needSeparator = false;
                    continue;
                case (byte)'"':
                    if (!TryParseQuoted(s, ref i, out var quoted, out error))
                    {
                        return SegmentResult.Error;
                    }

                    CurrentList.Add(ImapArgument.Quoted(quoted));
                    needSeparator = true;
                    continue;
                case (byte)'{':
                    return ParseLiteralAnnouncement(s[i..], out literalSize, out synchronizing, out error);
            }

            var atomLength = Count(s[i..], ImapSyntax.IsAstringChar);
            if (atomLength == 0)
            {
                error = "Invalid character in argument.";
                return SegmentResult.Error;
            }

            CurrentList.Add(ImapArgument.Atom(s.Slice(i, atomLength).ToArray()));
            i += atomLength;
            needSeparator = true;
        }
    }

    private static bool TryParseQuoted(ReadOnlySpan<byte> s, ref int i, out byte[] value, out string? error)
    {
        // Two passes over the span: check and measure, then copy into an array of the exact size.
        // A growing buffer per string would allocate its default capacity (256 bytes) for each of
        // the hundred short strings a line may hold, far more than the line itself.
        var start = i + 1;
        var length = 0;
        var escaped = false;
        var j = start;
        while (j < s.Length)
        {
            var c = s[j];
            if (c == (byte)'"')
            {
                value = escaped ? Unescape(s[start..j], length) : s[start..j].ToArray();
                i = j + 1;
                error = null;
                return true;
            }

            if (c == (byte)'\\')
            {
                if (j + 1 == s.Length || s[j + 1] is not ((byte)'"' or (byte)'\\'))
                {
                    break;
                }

                escaped = true;
                j++;
            }
            else if (!ImapSyntax.IsQuotedChar(c))
            {
                value = [];
                error = "Invalid character in quoted string.";
                return false;
            }

            length++;
            j++;
        }

        value = [];
        error = j < s.Length ? "Invalid escape in quoted string." : "Unterminated quoted string.";
        return false;
    }

    /// <summary>The content of a checked quoted string with its <c>\"</c> and <c>\\</c> escapes resolved.</summary>
    private static byte[] Unescape(ReadOnlySpan<byte> quoted, int length)
    {
        var value = new byte[length];
        var written = 0;
        for (var k = 0; k < quoted.Length; k++)
        {
            if (quoted[k] == (byte)'\\')
            {
                k++;
            }

            value[written++] = quoted[k];
        }

        return value;
    }

    /// <summary>Parses <c>{n}</c> or <c>{n+}</c>, which must end the line.</summary>
    private static SegmentResult ParseLiteralAnnouncement(ReadOnlySpan<byte> s, out long size, out bool synchronizing, out string? error)
    {
        size = 0;
        synchronizing = true;
        error = "Invalid literal.";
        var digits = Count(s[1..], static c => c is >= (byte)'0' and <= (byte)'9');
        if (digits == 0 || digits > MaxLiteralDigits)
        {
            return SegmentResult.Error;
        }

        foreach (var d in s.Slice(1, digits))
        {
            size = (size * 10) + (d - '0');
        }

        // RFC 9051 number: an unsigned 32-bit value.
        if (size > uint.MaxValue)
        {
            return SegmentResult.Error;
        }

        var rest = s[(1 + digits)..];
        if (rest.SequenceEqual("+}"u8))
        {
            synchronizing = false;
        }
        else if (!rest.SequenceEqual("}"u8))
        {
            return SegmentResult.Error;
        }

        error = null;
        return SegmentResult.Literal;
    }

    private static bool EndsWithLiteralPlus(ReadOnlySpan<byte> s)
    {
        if (!s.EndsWith("+}"u8))
        {
            return false;
        }

        var open = s.LastIndexOf((byte)'{');
        return open >= 0 && open < s.Length - 3 && s[(open + 1)..^2].IndexOfAnyExceptInRange((byte)'0', (byte)'9') < 0;
    }

    private static int Count(ReadOnlySpan<byte> s, Func<byte, bool> predicate)
    {
        var n = 0;
        while (n < s.Length && predicate(s[n]))
        {
            n++;
        }

        return n;
    }

    private enum SegmentResult
    {
        Complete,
        Literal,
        Error,
    }
}
