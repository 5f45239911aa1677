namespace Proxy.Protocols.Imap;

/// <summary>Character classes of RFC 9051's formal syntax.</summary>
internal static class ImapSyntax
{
    /// <summary>ATOM-CHAR: any CHAR except atom-specials ( ) { SP CTL % * " \ ].</summary>
    public static bool IsAtomChar(byte c) =>
        c is > 0x20 and < 0x7F and not ((byte)'(' or (byte)')' or (byte)'{' or (byte)'%' or (byte)'*' or (byte)'"' or (byte)'\\' or (byte)']');

    /// <summary>ASTRING-CHAR: ATOM-CHAR or resp-specials (]).</summary>
    public static bool IsAstringChar(byte c) => IsAtomChar(c) || c == (byte)']';

    /// <summary>tag: any ASTRING-CHAR except "+".</summary>
    public static bool IsTagChar(byte c) => IsAstringChar(c) && c != (byte)'+';

    /// <summary>QUOTED-CHAR without escape: TEXT-CHAR (CHAR except CR, LF) minus quoted-specials; 8-bit is refused (no UTF8=ACCEPT before login).</summary>
    public static bool IsQuotedChar(byte c) => c is > 0 and < 0x80 and not ((byte)'\r' or (byte)'\n' or (byte)'"' or (byte)'\\');
}
