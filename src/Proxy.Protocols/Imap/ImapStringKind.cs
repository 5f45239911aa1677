namespace Proxy.Protocols.Imap;

/// <summary>How <see cref="ImapString"/> chose to send a value.</summary>
public enum ImapStringKind
{
    Atom,
    Quoted,
    Literal,
}
