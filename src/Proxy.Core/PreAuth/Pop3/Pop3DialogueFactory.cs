using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Proxy.Core.Configuration;
using Proxy.Core.Listening;

namespace Proxy.Core.PreAuth.Pop3;

internal sealed class Pop3DialogueFactory(
    IOptionsMonitor<ProxyOptions> options,
    ILoggerFactory loggerFactory,
    TimeProvider timeProvider) : IFrontEndDialogueFactory
{
    private readonly ILogger _logger = loggerFactory.CreateLogger<Pop3Dialogue>();

    public MailProtocol Protocol => MailProtocol.Pop3;

    public IFrontEndDialogue Create(ClientConnection connection)
    {
        var current = options.CurrentValue;
        return new Pop3Dialogue(connection, current.ServerName, current.Pop3, timeProvider, _logger);
    }
}
