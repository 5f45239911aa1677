using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Proxy.Core.Configuration;
using Proxy.Core.Diagnostics;
using Proxy.Core.Directory;
using Proxy.Core.Discovery;

namespace Proxy.Core.Policy;

/// <summary>
/// Privileged accounts first (refused before anything is dialled, as Exchange
/// does at authentication), then the site check. Options are read on every
/// call, so a changed setting applies to the next login without a restart.
/// </summary>
internal sealed partial class SessionPolicy(IOptionsMonitor<ProxyOptions> options, ILogger<SessionPolicy> logger) : ISessionPolicy
{
    // Exchange's well-known accounts (LogonFailed:WellKnownAccount).
    private static readonly string[] WellKnownAccounts = ["administrator", "guest", "anonymous"];

    public PolicyDecision Evaluate(MailProtocol protocol, MailboxUser user, MailboxLocation location, string localSite, string? clientAddress)
    {
        var current = options.CurrentValue;
        MailProtocolOptions settings = protocol == MailProtocol.Imap ? current.Imap : current.Pop3;
        var client = clientAddress ?? "unknown";

        // Two rules, as the sources have them: Exchange 2013 refuses the well-known accounts on
        // both protocols (DenyWellKnownAccounts), and the seed's POP3 rule refuses accounts
        // flagged privileged (DenyPrivilegedAccounts, POP3 only by default).
        if (settings.DenyWellKnownAccounts && IsWellKnownAccount(user.UserPrincipalName))
        {
            Log.PrivilegedDenied(logger, ExchangeName(protocol), user.UserPrincipalName, "LogonFailed:WellKnownAccount", "is a well-known account (Administrator, Guest or Anonymous)", "DenyWellKnownAccounts", client);
            return PolicyDecision.PrivilegedAccountDenied;
        }

        if (settings.DenyPrivilegedAccounts && user.IsPrivileged)
        {
            Log.PrivilegedDenied(logger, ExchangeName(protocol), user.UserPrincipalName, "LogonFailed:PrivilegedAccount", "is flagged privileged in the directory", "DenyPrivilegedAccounts", client);
            return PolicyDecision.PrivilegedAccountDenied;
        }

        if (!settings.AllowCrossSiteSessions && !string.Equals(location.Site, localSite, StringComparison.OrdinalIgnoreCase))
        {
            Log.CrossSiteDenied(logger, ExchangeName(protocol), user.UserPrincipalName, location.Site, current.ServerName, client);
            return PolicyDecision.CrossSiteDenied;
        }

        return PolicyDecision.Allowed;
    }

    internal static bool IsWellKnownAccount(string userPrincipalName)
    {
        var at = userPrincipalName.IndexOf('@', StringComparison.Ordinal);
        var localPart = at < 0 ? userPrincipalName : userPrincipalName[..at];
        return WellKnownAccounts.Contains(localPart, StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>The event source's protocol name, as MSExchangeIMAP4 / MSExchangePOP3 say it.</summary>
    private static string ExchangeName(MailProtocol protocol) => protocol == MailProtocol.Imap ? "IMAP4" : "POP3";

    private static partial class Log
    {
        [LoggerMessage(EventId = 1008, EventName = nameof(EventIds.CrossSiteSessionDenied), Level = LogLevel.Warning,
            Message = "{Protocol}: The user \"{User}\" was prevented from connecting to their mailbox because the mailbox server is in another Active Directory site ({MailboxSite}) than the Client Access server ({ProxyServer}) they connected to. Place them in the same site or set AllowCrossSiteSessions to true. Client: {ClientAddress}.")]
        public static partial void CrossSiteDenied(ILogger logger, string protocol, string user, string mailboxSite, string proxyServer, string clientAddress);

        [LoggerMessage(EventId = 3202, EventName = nameof(EventIds.LoginFailedPrivilegedAccount), Level = LogLevel.Warning,
            Message = "{Protocol}: {Reason}. The authenticated user \"{User}\" {Why} and may not use {Protocol} because {Setting} is true; the client was told its credentials are invalid. Client: {ClientAddress}.")]
        public static partial void PrivilegedDenied(ILogger logger, string protocol, string user, string reason, string why, string setting, string clientAddress);
    }
}
