using Microsoft.Extensions.Logging;

namespace Proxy.Core.Diagnostics.Status;

/// <summary>
/// Which logged events the dashboard keeps, and which of them are refusals. The refusal ids
/// are kept even when logged at Information (a wrong password is routine for the log, not for
/// an operator watching a dashboard); everything else only from Warning up.
/// </summary>
internal static class RecentEventKinds
{
    /// <summary>The events that mean a client (or an admin caller) was refused. docs/dashboard.md lists them.</summary>
    public static readonly IReadOnlySet<int> RefusalIds = new HashSet<int>
    {
        1008, // CrossSiteSessionDenied
        1009, // UserConnectionLimitReached (MaxConnectionsPerUser)
        1101, // ConnectionLimitReached (MaxConnections)
        1103, // AddressConnectionLimitReached (MaxConnectionFromSingleIP)
        3108, // TooManyFailedLogins: the connection was closed
        3111, // PreAuthCredentialsRefused: refused before the directory was asked
        3141, // PreAuthDurationExceeded
        3142, // TooManyBadCommands
        3201, // LoginFailedInvalidCredentials
        3202, // LoginFailedPrivilegedAccount
        3205, // LoginFailedPrivacyRequired
        3220, // LoginLockout: a key was locked out
        3221, // LoginRefusedLockedOut
        3304, // BackendRejectedCredentials
        3558, // AdminRequestRefused
    };

    /// <summary>Whether an event is kept at all.</summary>
    public static bool IsKept(int eventId, LogLevel level) =>
        level is >= LogLevel.Warning and < LogLevel.None || (level >= LogLevel.Information && RefusalIds.Contains(eventId));

    public static RecentEventKind Of(int eventId) => RefusalIds.Contains(eventId) ? RecentEventKind.Refusal : RecentEventKind.Error;
}
