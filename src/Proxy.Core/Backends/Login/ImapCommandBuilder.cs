using System.Buffers;
using System.Text;
using Proxy.Protocols.Imap;

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

    /// <summary>Appends an astring (atom, quoted string or literal, chosen by <see cref="ImapString"/>); the value must not contain NUL.</summary>
    public ImapCommandBuilder AppendAstring(string value) => Append(ImapString.Create(value, literalPlus));

    /// <summary>Appends an nstring: NIL for null, else a quoted string or literal, never an atom (ID's field/value list, RFC 2971).</summary>
    public ImapCommandBuilder AppendNString(string? value) =>
        value is null ? Append("NIL") : Append(ImapString.CreateString(value, literalPlus));

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

    private ImapCommandBuilder Append(ImapString astring)
    {
        Append(astring.Token);
        if (astring.Kind == ImapStringKind.Literal)
        {
            _current.Write("\r\n"u8);
            if (astring.IsSynchronizing)
            {
                EndChunk();
            }

            _current.Write(astring.LiteralData);
        }

        return this;
    }

    private void EndChunk()
    {
        _chunks.Add(_current.WrittenSpan.ToArray());
        _current.Clear();
    }
}
