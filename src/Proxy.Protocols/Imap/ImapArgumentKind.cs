namespace Proxy.Protocols.Imap;

/// <summary>The syntactic form an argument arrived in.</summary>
public enum ImapArgumentKind
{
    /// <summary>A bare atom (astring characters); <c>NIL</c> is an atom too, see <see cref="ImapArgument.IsNil"/>.</summary>
    Atom,
    /// <summary>A quoted string, unescaped.</summary>
    Quoted,
    /// <summary>A synchronizing or non-synchronizing literal.</summary>
    Literal,
    /// <summary>A parenthesised list.</summary>
    List,
}
