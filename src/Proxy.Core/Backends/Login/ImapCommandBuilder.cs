using System.Buffers;
using System.Globalization;
using System.Text;

namespace Proxy.Core.Backends.Login;

/// <summary>
/// Builds one IMAP command whose arguments can never break it (RFC 9051 astring):
/// an atom when every byte is safe, a quoted string for other printable ASCII, a
/// literal for anything else. A synchronizing literal splits the command into
/// chunks; the backend's <c>+</c> continuation is awaited between chunks.
/// </summary>
internal sealed class ImapCommandBuilder(bool literalPlus)
{
    private readonly List<byte[]> _chunks = [];
    private readonly ArrayBufferWriter<byte> _current = new();

    public ImapCommandBuilder Append(string ascii)
    {
        Encoding.ASCII.GetBytes(ascii, _current);
        return this;
    }

    /// <summary>Appends an astring; the value must not contain NUL, which IMAP cannot carry at all.</summary>
    public ImapCommandBuilder AppendAstring(string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        if (bytes.Length > 0 && bytes.All(IsAstringChar))
        {
            _current.Write(bytes);
        }
        else if (bytes.All(IsQuotable))
        {
            _current.Write("\""u8);
            foreach (var b in bytes)
            {
                if (b is (byte)'"' or (byte)'\\')
                {
                    _current.Write("\\"u8);
                }

                _current.Write([b]);
            }

            _current.Write("\""u8);
        }
        else
        {
            Append(string.Create(CultureInfo.InvariantCulture, $"{{{bytes.Length}{(literalPlus ? "+" : "")}}}\r\n"));
            if (!literalPlus)
            {
                EndChunk();
            }

            _current.Write(bytes);
        }

        return this;
    }

    /// <summary>Ends the current line and starts one that is sent after the backend's continuation (a SASL response).</summary>
    public ImapCommandBuilder AppendAfterContinuation(string ascii)
    {
        _current.Write("\r\n"u8);
        EndChunk();
        return Append(ascii);
    }

    /// <summary>Ends the command with CRLF and returns its chunks, in the order they are sent.</summary>
    public IReadOnlyList<byte[]> Build()
    {
        _current.Write("\r\n"u8);
        EndChunk();
        return _chunks;
    }

    private void EndChunk()
    {
        _chunks.Add(_current.WrittenSpan.ToArray());
        _current.Clear();
    }

    // ASTRING-CHAR: any CHAR but atom-specials; "]" is allowed in an astring.
    private static bool IsAstringChar(byte b) =>
        b is > 0x20 and < 0x7F and not ((byte)'(' or (byte)')' or (byte)'{' or (byte)'%' or (byte)'*' or (byte)'"' or (byte)'\\');

    // A quoted string holds any 7-bit TEXT-CHAR: no CR, LF, NUL, other controls or 8-bit bytes.
    private static bool IsQuotable(byte b) => b is >= 0x20 and < 0x7F;
}
