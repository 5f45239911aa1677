using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Proxy.Core.Configuration;
using Proxy.Core.Listening;

namespace Proxy.Core.PreAuth.Imap;

internal sealed class ImapDialogueFactory(
    IOptionsMonitor<ProxyOptions> options,
    ILoggerFactory loggerFactory,
    TimeProvider timeProvider) : IFrontEndDialogueFactory
{
    private readonly ILogger _logger = loggerFactory.CreateLogger<ImapDialogue>();

    public MailProtocol Protocol => MailProtocol.Imap;

    public IFrontEndDialogue Create(ClientConnection connection)
    {
        var current = options.CurrentValue;
        return new ImapDialogue(connection, current.ServerName, current.Imap, timeProvider, _logger);
    }
}
