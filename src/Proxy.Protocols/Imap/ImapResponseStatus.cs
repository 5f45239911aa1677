namespace Proxy.Protocols.Imap;

/// <summary>Status words of tagged and untagged status responses.</summary>
public enum ImapResponseStatus
{
    Ok,
    No,
    Bad,
    Bye,
}
