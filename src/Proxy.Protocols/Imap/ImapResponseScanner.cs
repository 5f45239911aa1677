using Proxy.Protocols.Common;

namespace Proxy.Protocols.Imap;

/// <summary>
/// Follows an IMAP server's responses (RFC 9051 §7) as they are forwarded, to know
/// whether the client sits between two lines and whether the server said BYE.
/// Literal contents (<c>{n}</c> CRLF, then n bytes; also <c>~{n}</c>) are skipped
/// by count, never scanned, so a CRLF inside a message body is not taken for the
/// end of a response line. Outside literals only <c>{</c> and LF are looked for
/// (vectorised), so following a bulk transfer costs next to nothing. The state is
/// a few fields: it survives any split of the stream into chunks.
/// </summary>
public sealed class ImapResponseScanner : IResponseBoundary
{
    // A literal length past this is no server's; treat the marker as text rather than overflow.
    private const long MaxLiteralLength = 1L << 50;

    private static ReadOnlySpan<byte> Bye => "* BYE"u8;

    private long _literalRemaining;
    private long _literalLength;
    private Marker _marker;
    private bool _atLineStart = true;

    // The login's tagged OK came before anything this scanner sees: the stream starts at a command boundary.
    private bool _currentLineUntagged;
    private bool _lastLineUntagged;

    // How much of "* BYE" the current line has matched; -1 once it cannot be a BYE.
    private int _byeMatched;

    private enum Marker : byte
    {
        None,
        Brace,
        Digits,
        Plus,
        Close,
        CarriageReturn,
    }

    public bool AtBoundary => _atLineStart && _literalRemaining == 0;

    public bool AtCommandBoundary => AtBoundary && !_lastLineUntagged;

    public bool ServerSaidGoodbye { get; private set; }

    public void Observe(ReadOnlySpan<byte> forwarded)
    {
        var data = forwarded;
        while (!data.IsEmpty)
        {
            if (_literalRemaining > 0)
            {
                var skip = (int)Math.Min(_literalRemaining, data.Length);
                _literalRemaining -= skip;
                data = data[skip..];
                continue;
            }

            if (_byeMatched < 0 && _marker == Marker.None)
            {
                // Plain text inside a line: jump to the next byte that can matter.
                var next = data.IndexOfAny((byte)'{', (byte)'\n');
                if (next < 0)
                {
                    _atLineStart = false;
                    return;
                }

                if (next > 0)
                {
                    _atLineStart = false;
                    data = data[next..];
                }
            }

            Step(data[0]);
            data = data[1..];
        }
    }

    private void Step(byte b)
    {
        if (_atLineStart)
        {
            // "* …" is untagged data; "+ …" a continuation request; anything else a tagged completion.
            _currentLineUntagged = b == '*';
        }

        _atLineStart = false;
        if (_byeMatched >= 0)
        {
            MatchBye(b);
        }

        switch (_marker)
        {
            case Marker.Brace when IsDigit(b):
                _marker = Marker.Digits;
                _literalLength = b - '0';
                return;
            case Marker.Digits when IsDigit(b):
                _literalLength = _literalLength * 10 + (b - '0');
                if (_literalLength > MaxLiteralLength)
                {
                    _marker = Marker.None;
                }

                return;
            case Marker.Digits when b == '+':
                _marker = Marker.Plus;
                return;
            case Marker.Digits or Marker.Plus when b == '}':
                _marker = Marker.Close;
                return;
            case Marker.Close when b == '\r':
                _marker = Marker.CarriageReturn;
                return;
            case Marker.Close or Marker.CarriageReturn when b == '\n':
                // The literal's bytes follow; after them the same response line goes on.
                _marker = Marker.None;
                _literalRemaining = _literalLength;
                return;
        }

        // Not (or no longer) a literal marker: the byte is ordinary text, a new marker, or the end of the line.
        _marker = Marker.None;
        if (b == '{')
        {
            _marker = Marker.Brace;
        }
        else if (b == '\n')
        {
            _atLineStart = true;
            _byeMatched = 0;
            _lastLineUntagged = _currentLineUntagged;
        }
    }

    private void MatchBye(byte b)
    {
        if (_byeMatched < Bye.Length)
        {
            var expected = Bye[_byeMatched];
            var matches = b == expected || (char.IsAsciiLetterUpper((char)expected) && b == (expected | 0x20));
            _byeMatched = matches ? _byeMatched + 1 : -1;
            return;
        }

        // "* BYE" must be followed by a space (or end the line) to be the BYE response, not "* BYEX".
        ServerSaidGoodbye |= b is (byte)' ' or (byte)'\r' or (byte)'\n';
        _byeMatched = -1;
    }

    private static bool IsDigit(byte b) => b is >= (byte)'0' and <= (byte)'9';
}
