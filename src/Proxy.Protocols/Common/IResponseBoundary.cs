namespace Proxy.Protocols.Common;

/// <summary>
/// Follows what a server sent to a client, as it is forwarded, to tell whether the
/// client has received only whole responses. Only then may the proxy add a response
/// of its own (a goodbye) without corrupting the stream.
/// </summary>
public interface IResponseBoundary
{
    /// <summary>True when everything forwarded so far ends a response: no line and no literal is half-written.</summary>
    bool AtBoundary { get; }

    /// <summary>
    /// <see cref="AtBoundary"/>, and the last response ended a command (IMAP: a tagged response, or a
    /// continuation request the client must answer first): no reply to a command is still on its way.
    /// After an untagged response the command's completion usually follows at once.
    /// </summary>
    bool AtCommandBoundary { get; }

    /// <summary>The server has already said goodbye (IMAP <c>* BYE</c>); a second one would be noise.</summary>
    bool ServerSaidGoodbye { get; }

    /// <summary>Takes the next bytes forwarded to the client, in order.</summary>
    void Observe(ReadOnlySpan<byte> forwarded);
}
