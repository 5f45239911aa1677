using Proxy.Core.Configuration;
using Proxy.Core.Listening;

namespace Proxy.Core.PreAuth;

/// <summary>Creates the pre-auth dialogue of one protocol for each new client session.</summary>
public interface IFrontEndDialogueFactory
{
    MailProtocol Protocol { get; }

    /// <summary>A new dialogue for the connection, with the options current at this moment.</summary>
    IFrontEndDialogue Create(ClientConnection connection);
}
