namespace Proxy.Protocols.Imap;

/// <summary>What <see cref="ImapCommandParser.TryParse"/> returned.</summary>
public enum ImapParseStatus
{
    /// <summary>A whole command was parsed.</summary>
    Complete,
    /// <summary>More bytes are needed.</summary>
    Incomplete,
    /// <summary>
    /// The line ended with a literal announcement within the limits. See
    /// <see cref="ImapCommandParser.LiteralSize"/> and
    /// <see cref="ImapCommandParser.LiteralIsSynchronizing"/>: for a synchronizing
    /// literal the caller sends a continuation before calling again.
    /// </summary>
    LiteralAnnounced,
    /// <summary>
    /// A literal larger than the limit was announced. The line is consumed and the
    /// command dropped. A synchronizing literal can be refused with a tagged answer
    /// (the client waits); after a non-synchronizing one the bytes are coming anyway,
    /// so the caller should close.
    /// </summary>
    LiteralTooLarge,
    /// <summary>The command text is longer than the limit; nothing more can be parsed, the caller should close.</summary>
    LineTooLong,
    /// <summary>The line is not valid syntax (see <see cref="ImapCommandParser.Error"/>); it is consumed and the command dropped.</summary>
    Malformed,
}
