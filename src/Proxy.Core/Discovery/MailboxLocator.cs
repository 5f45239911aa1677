using Microsoft.Extensions.Logging;
using Proxy.Core.Configuration;
using Proxy.Core.Diagnostics;
using Proxy.Core.Directory;

namespace Proxy.Core.Discovery;

/// <summary>
/// Database → mailbox server → that server's version picks the rule → the
/// rule's servers, each with its endpoints for the protocol.
/// </summary>
internal sealed partial class MailboxLocator : IMailboxLocator
{
    private readonly Dictionary<ServerVersion, IDiscoveryRule> _rules;
    private readonly ILogger _logger;

    public MailboxLocator(IEnumerable<IDiscoveryRule> rules, ILogger<MailboxLocator> logger)
    {
        _rules = rules.ToDictionary(r => r.Version);
        _logger = logger;
    }

    /// <summary>The rules of Exchange 2007, 2010 and 2013.</summary>
    public static IReadOnlyList<IDiscoveryRule> DefaultRules { get; } =
        [new MailboxServerRule(), new Exchange2010ClientAccessRule(), new Exchange2007ClientAccessRule()];

    public MailboxLocation? Locate(MailboxUser user, MailProtocol protocol, TopologySnapshot topology)
    {
        if (!topology.Databases.TryGetValue(user.Database, out var database))
        {
            Log.NotLocated(_logger, user.UserPrincipalName, $"database '{user.Database}' is not in the topology");
            return null;
        }

        if (!topology.Servers.TryGetValue(database.ServerName, out var mailboxServer))
        {
            Log.NotLocated(_logger, user.UserPrincipalName, $"database '{database.Name}' is on server '{database.ServerName}', which is not in the topology");
            return null;
        }

        if (!_rules.TryGetValue(mailboxServer.Version, out var rule))
        {
            throw new InvalidOperationException($"No discovery rule is registered for {mailboxServer.Version}.");
        }

        var candidates = new List<BackendCandidate>();
        foreach (var server in rule.FindServers(mailboxServer, user, topology))
        {
            if (server.Endpoints.TryGetValue(protocol, out var endpoints) && endpoints.Count > 0)
            {
                candidates.Add(new BackendCandidate(server, endpoints));
            }
        }

        if (candidates.Count == 0)
        {
            Log.NoCandidates(_logger, protocol, user.UserPrincipalName, database.Name, mailboxServer.Name, mailboxServer.Version, mailboxServer.Site);
        }

        return new MailboxLocation(database, mailboxServer, mailboxServer.Site, candidates);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 3204, EventName = nameof(EventIds.MailboxNotLocated), Level = LogLevel.Warning,
            Message = "The mailbox of {User} cannot be located: {Problem}.")]
        public static partial void NotLocated(ILogger logger, string user, string problem);

        [LoggerMessage(EventId = 3216, EventName = nameof(EventIds.MailboxHasNoCandidates), Level = LogLevel.Warning,
            Message = "No server offers a {Protocol} endpoint for the mailbox of {User} (database {Database} on {Server}, {Version}, site {Site}). A 2010 mailbox needs a 2010 Client Access server in its site, a 2007 mailbox a 2007 one; check their ports and InternalConnectionSettings.")]
        public static partial void NoCandidates(ILogger logger, MailProtocol protocol, string user, string database, string server, ServerVersion version, string site);
    }
}
