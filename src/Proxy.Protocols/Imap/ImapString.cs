using System.Text;

namespace Proxy.Protocols.Imap;

/// <summary>
/// An astring ready to send to a backend (user name, password): an atom when
/// that is safe, a quoted string for other printable ASCII, otherwise a literal.
/// Whatever the value holds, the result cannot end the command line early or
/// inject a second command.
/// </summary>
/// <param name="Kind">The form chosen.</param>
/// <param name="Token">
/// What goes on the command line: the atom, the quoted string, or the literal
/// announcement <c>{n}</c> / <c>{n+}</c>. After an announcement the sender writes
/// CRLF, waits for the server's <c>+</c> when <see cref="IsSynchronizing"/>, then
/// writes <see cref="LiteralData"/> and goes on with the line.
/// </param>
/// <param name="LiteralData">The literal's bytes (UTF-8); empty unless <see cref="Kind"/> is Literal.</param>
public sealed record ImapString(ImapStringKind Kind, string Token, byte[] LiteralData)
{
    /// <summary>A synchronizing literal: the server's continuation must be awaited before <see cref="LiteralData"/>.</summary>
    public bool IsSynchronizing => Kind == ImapStringKind.Literal && !Token.EndsWith("+}", StringComparison.Ordinal);

    /// <param name="useLiteralPlus">The server announced LITERAL+ (or LITERAL-, with a small value): send <c>{n+}</c>.</param>
    public static ImapString Create(string value, bool useLiteralPlus)
    {
        ArgumentNullException.ThrowIfNull(value);

        return IsSafeAtom(value) ? new ImapString(ImapStringKind.Atom, value, []) : CreateString(value, useLiteralPlus);
    }

    /// <summary>
    /// A <c>string</c> of RFC 9051 (quoted, or a literal when it must be), never an atom: what
    /// places such as the field/value list of ID (RFC 2971) require.
    /// </summary>
    public static ImapString CreateString(string value, bool useLiteralPlus)
    {
        ArgumentNullException.ThrowIfNull(value);

        if (value.All(c => c is >= ' ' and <= '~'))
        {
            return new ImapString(ImapStringKind.Quoted, ImapResponseWriter.Quote(value), []);
        }

        var bytes = Encoding.UTF8.GetBytes(value);
        var token = useLiteralPlus ? $"{{{bytes.Length}+}}" : $"{{{bytes.Length}}}";
        return new ImapString(ImapStringKind.Literal, token, bytes);
    }

    /// <summary>Never shows the value: it is usually a password.</summary>
    public override string ToString() => $"ImapString {{ Kind = {Kind} }}";

    /// <summary>
    /// Non-empty ASTRING-CHARs only, and not NIL, which some servers read as nil
    /// even where an astring is expected.
    /// </summary>
    private static bool IsSafeAtom(string value) =>
        value.Length > 0
        && !value.Equals("NIL", StringComparison.OrdinalIgnoreCase)
        && value.All(c => c < 0x80 && ImapSyntax.IsAstringChar((byte)c));
}
