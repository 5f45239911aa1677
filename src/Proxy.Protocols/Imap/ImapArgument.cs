using System.Text;

namespace Proxy.Protocols.Imap;

/// <summary>One argument of a parsed command: a string (atom, quoted, literal) or a list.</summary>
public sealed class ImapArgument
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private ImapArgument(ImapArgumentKind kind, ReadOnlyMemory<byte> value, IReadOnlyList<ImapArgument> items)
    {
        Kind = kind;
        Value = value;
        Items = items;
    }

    public ImapArgumentKind Kind { get; }

    /// <summary>The bytes of an atom, quoted string (escapes removed) or literal; empty for a list.</summary>
    public ReadOnlyMemory<byte> Value { get; }

    /// <summary>The members of a list; empty otherwise.</summary>
    public IReadOnlyList<ImapArgument> Items { get; }

    /// <summary>An astring: atom, quoted string or literal.</summary>
    public bool IsString => Kind != ImapArgumentKind.List;

    /// <summary>The atom <c>NIL</c> (any case). A quoted "NIL" is a string, not nil.</summary>
    public bool IsNil => Kind == ImapArgumentKind.Atom && Ascii.EqualsIgnoreCase(Value.Span, "NIL"u8);

    public static ImapArgument Atom(ReadOnlyMemory<byte> value) => new(ImapArgumentKind.Atom, value, []);

    public static ImapArgument Quoted(ReadOnlyMemory<byte> value) => new(ImapArgumentKind.Quoted, value, []);

    public static ImapArgument Literal(ReadOnlyMemory<byte> value) => new(ImapArgumentKind.Literal, value, []);

    public static ImapArgument List(IReadOnlyList<ImapArgument> items) => new(ImapArgumentKind.List, ReadOnlyMemory<byte>.Empty, items);

    /// <summary>Decodes a string argument as UTF-8; false for a list or bytes that are not valid UTF-8.</summary>
    public bool TryGetString(out string value)
    {
        value = "";
        if (!IsString)
        {
            return false;
        }

        try
        {
            value = StrictUtf8.GetString(Value.Span);
            return true;
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
    }

    public override string ToString() => Kind == ImapArgumentKind.List
        ? $"({string.Join(' ', Items)})"
        : $"{Kind}:{Encoding.UTF8.GetString(Value.Span)}";
}
