using Microsoft.Extensions.Logging;

namespace Proxy.Core.Diagnostics;

/// <summary>
/// Every event id the proxy logs, in one place so they stay stable.
/// Ids below 3000 are Exchange's own (MSExchangeIMAP4/POP3) where the
/// meaning is the same; 3000 and up are the proxy's. docs/telemetry.md lists them.
/// </summary>
internal static class EventIds
{
    // Exchange's ids.
    public static readonly EventId CrossSiteSessionDenied = new(1008, nameof(CrossSiteSessionDenied));
    public static readonly EventId ListenerIpv6Disabled = new(1017, nameof(ListenerIpv6Disabled));
    public static readonly EventId ListenerAddressInUse = new(1018, nameof(ListenerAddressInUse));
    public static readonly EventId ListenerAddressNotAvailable = new(1019, nameof(ListenerAddressNotAvailable));
    public static readonly EventId ListenerAccessDenied = new(1032, nameof(ListenerAccessDenied));
    public static readonly EventId CertificateNotFound = new(2007, nameof(CertificateNotFound));

    // Exchange's ids for connection limits (Policy/ConnectionLimits): 1009 per user, 1101 per server, 1103 per address.
    public static readonly EventId UserConnectionLimitReached = new(1009, nameof(UserConnectionLimitReached));
    public static readonly EventId ConnectionLimitReached = new(1101, nameof(ConnectionLimitReached));
    public static readonly EventId AddressConnectionLimitReached = new(1103, nameof(AddressConnectionLimitReached));

    // Host and configuration.
    public static readonly EventId ListenerStarted = new(3001, nameof(ListenerStarted));
    public static readonly EventId ConfigurationInvalid = new(3003, nameof(ConfigurationInvalid));
    public static readonly EventId AcceptAnyCertificateConfigured = new(3005, nameof(AcceptAnyCertificateConfigured));
    public static readonly EventId BackendPlaintextAllowed = new(3006, nameof(BackendPlaintextAllowed));
    public static readonly EventId NoCertificateForStartTls = new(3007, nameof(NoCertificateForStartTls));

    // Front-end TLS certificates: loading, reloading, SNI (3010-3019).
    public static readonly EventId TlsCertificateLoaded = new(3010, nameof(TlsCertificateLoaded));
    public static readonly EventId TlsCertificateReloaded = new(3011, nameof(TlsCertificateReloaded));
    public static readonly EventId TlsCertificateReloadFailed = new(3012, nameof(TlsCertificateReloadFailed));
    public static readonly EventId TlsCertificateExpiresSoon = new(3013, nameof(TlsCertificateExpiresSoon));
    public static readonly EventId TlsCertificateWatchFailed = new(3014, nameof(TlsCertificateWatchFailed));
    public static readonly EventId TlsServerNameNotMatched = new(3015, nameof(TlsServerNameNotMatched));
    public static readonly EventId TlsCertificateHostNameNotCovered = new(3016, nameof(TlsCertificateHostNameNotCovered));
    public static readonly EventId TlsLegacyCipherSuitesAllowed = new(3017, nameof(TlsLegacyCipherSuitesAllowed));

    // Configuration reload (3020-3039): Reload/ConfigurationReloader and the host's SIGHUP handler.
    public static readonly EventId ConfigurationReloaded = new(3020, nameof(ConfigurationReloaded));
    public static readonly EventId ConfigurationReloadRefused = new(3021, nameof(ConfigurationReloadRefused));
    public static readonly EventId ConfigurationRestartRequired = new(3022, nameof(ConfigurationRestartRequired));
    public static readonly EventId ReloadSignalReceived = new(3023, nameof(ReloadSignalReceived));
    public static readonly EventId ConfigurationWatchFailed = new(3024, nameof(ConfigurationWatchFailed));
    public static readonly EventId ConfigurationUnchanged = new(3025, nameof(ConfigurationUnchanged));
    public static readonly EventId ConfigurationFileChangeIgnored = new(3026, nameof(ConfigurationFileChangeIgnored));

    // Sessions (steps 1, 2 and 6).
    public static readonly EventId SessionStarted = new(3100, nameof(SessionStarted));
    public static readonly EventId SessionEnded = new(3101, nameof(SessionEnded));
    public static readonly EventId PreAuthTimeout = new(3102, nameof(PreAuthTimeout));
    public static readonly EventId IdleTimeout = new(3103, nameof(IdleTimeout));
    public static readonly EventId StartTlsCompleted = new(3104, nameof(StartTlsCompleted));
    public static readonly EventId StartTlsFailed = new(3105, nameof(StartTlsFailed));
    public static readonly EventId StartTlsPipelinedBytesDiscarded = new(3106, nameof(StartTlsPipelinedBytesDiscarded));
    public static readonly EventId ClientProtocolError = new(3107, nameof(ClientProtocolError));
    public static readonly EventId TooManyFailedLogins = new(3108, nameof(TooManyFailedLogins));
    public static readonly EventId SessionFailed = new(3109, nameof(SessionFailed));
    public static readonly EventId PreAuthConnectionLost = new(3110, nameof(PreAuthConnectionLost));
    public static readonly EventId PreAuthCredentialsRefused = new(3111, nameof(PreAuthCredentialsRefused));

    // Front-end security: login type, hostile input (3140-3159).
    public static readonly EventId ClearTextLoginFromTrustedNetwork = new(3140, nameof(ClearTextLoginFromTrustedNetwork));
    public static readonly EventId PreAuthDurationExceeded = new(3141, nameof(PreAuthDurationExceeded));
    public static readonly EventId TooManyBadCommands = new(3142, nameof(TooManyBadCommands));

    // Authentication, discovery and policy (steps 2-4).
    public static readonly EventId LoginSucceeded = new(3200, nameof(LoginSucceeded));
    public static readonly EventId LoginFailedInvalidCredentials = new(3201, nameof(LoginFailedInvalidCredentials));
    public static readonly EventId LoginFailedPrivilegedAccount = new(3202, nameof(LoginFailedPrivilegedAccount));
    public static readonly EventId LoginFailedDirectoryUnavailable = new(3203, nameof(LoginFailedDirectoryUnavailable));
    public static readonly EventId MailboxNotLocated = new(3204, nameof(MailboxNotLocated));
    public static readonly EventId LoginFailedPrivacyRequired = new(3205, nameof(LoginFailedPrivacyRequired));
    public static readonly EventId DirectoryLoaded = new(3206, nameof(DirectoryLoaded));
    public static readonly EventId LoadBalancerNameInConnectionSettings = new(3207, nameof(LoadBalancerNameInConnectionSettings));

    // Directory, discovery and policy details (3210-3249).
    public static readonly EventId DirectoryPasswordHashMalformed = new(3210, nameof(DirectoryPasswordHashMalformed));
    public static readonly EventId DirectoryUnknownUser = new(3211, nameof(DirectoryUnknownUser));
    public static readonly EventId DirectoryWrongPassword = new(3212, nameof(DirectoryWrongPassword));
    public static readonly EventId DirectoryAccountDisabled = new(3213, nameof(DirectoryAccountDisabled));
    public static readonly EventId DirectoryLoginNameRejected = new(3214, nameof(DirectoryLoginNameRejected));
    public static readonly EventId DirectoryReloadFailed = new(3215, nameof(DirectoryReloadFailed));
    public static readonly EventId MailboxHasNoCandidates = new(3216, nameof(MailboxHasNoCandidates));
    public static readonly EventId TopologyReloaded = new(3217, nameof(TopologyReloaded));
    public static readonly EventId TopologyReloadFailed = new(3218, nameof(TopologyReloadFailed));

    // Brute-force protection and password verification (3220-3239).
    public static readonly EventId LoginLockout = new(3220, nameof(LoginLockout));
    public static readonly EventId LoginRefusedLockedOut = new(3221, nameof(LoginRefusedLockedOut));
    public static readonly EventId LoginTarpitted = new(3222, nameof(LoginTarpitted));
    public static readonly EventId PasswordVerificationBusy = new(3223, nameof(PasswordVerificationBusy));
    public static readonly EventId LoginThrottleTableFull = new(3224, nameof(LoginThrottleTableFull));

    // Backends (step 5).
    public static readonly EventId BackendAttemptSucceeded = new(3300, nameof(BackendAttemptSucceeded));
    public static readonly EventId BackendAttemptFailed = new(3301, nameof(BackendAttemptFailed));
    public static readonly EventId BackendPlaintextFallback = new(3302, nameof(BackendPlaintextFallback));
    public static readonly EventId BackendUnavailable = new(3303, nameof(BackendUnavailable));
    public static readonly EventId BackendRejectedCredentials = new(3304, nameof(BackendRejectedCredentials));
    public static readonly EventId BackendCertificateRejected = new(3305, nameof(BackendCertificateRejected));
    public static readonly EventId BackendPlaintextAttemptSkipped = new(3310, nameof(BackendPlaintextAttemptSkipped));

    // Backend hygiene: the client's address forwarded to the backend (3320-3329).
    public static readonly EventId BackendClientAddressForwarded = new(3320, nameof(BackendClientAddressForwarded));
    public static readonly EventId BackendClientAddressNotForwarded = new(3321, nameof(BackendClientAddressNotForwarded));

    // Relay (step 6).
    public static readonly EventId RelayEnded = new(3400, nameof(RelayEnded));

    // Backend health: probes, passive health, circuit breakers, routing (3500-3549).
    public static readonly EventId BackendEndpointHealthy = new(3500, nameof(BackendEndpointHealthy));
    public static readonly EventId BackendEndpointUnhealthy = new(3501, nameof(BackendEndpointUnhealthy));
    public static readonly EventId BackendBreakerOpened = new(3502, nameof(BackendBreakerOpened));
    public static readonly EventId BackendBreakerHalfOpen = new(3503, nameof(BackendBreakerHalfOpen));
    public static readonly EventId BackendBreakerClosed = new(3504, nameof(BackendBreakerClosed));
    public static readonly EventId HealthProbesScheduled = new(3510, nameof(HealthProbesScheduled));
    public static readonly EventId HealthProbesDisabled = new(3511, nameof(HealthProbesDisabled));
    public static readonly EventId HealthProbeFailed = new(3512, nameof(HealthProbeFailed));
    public static readonly EventId HealthProbeCrashed = new(3513, nameof(HealthProbeCrashed));
    public static readonly EventId HealthProbeLoopFailed = new(3514, nameof(HealthProbeLoopFailed));
    public static readonly EventId BackendAttemptHeldBack = new(3520, nameof(BackendAttemptHeldBack));
    public static readonly EventId BackendAllBreakersOpen = new(3521, nameof(BackendAllBreakersOpen));

    // Relay: the backend lost mid-session (3410-3419).
    public static readonly EventId RelayBackendLost = new(3410, nameof(RelayBackendLost));

    // Session registry, drain, kick, shutdown and the admin API (3550-3579).
    public static readonly EventId SessionClosing = new(3550, nameof(SessionClosing));
    public static readonly EventId UserKicked = new(3551, nameof(UserKicked));
    public static readonly EventId BackendDrainStarted = new(3552, nameof(BackendDrainStarted));
    public static readonly EventId BackendDrainEnded = new(3553, nameof(BackendDrainEnded));
    public static readonly EventId DrainingAttemptsSkipped = new(3554, nameof(DrainingAttemptsSkipped));
    public static readonly EventId ShutdownDrainStarted = new(3555, nameof(ShutdownDrainStarted));
    public static readonly EventId ShutdownDrainCompleted = new(3556, nameof(ShutdownDrainCompleted));
    public static readonly EventId ShutdownDrainTimedOut = new(3557, nameof(ShutdownDrainTimedOut));
    public static readonly EventId AdminRequestRefused = new(3558, nameof(AdminRequestRefused));
    public static readonly EventId AdminApiExposedWithoutToken = new(3559, nameof(AdminApiExposedWithoutToken));

    // Per-session protocol log (Sessions/ProtocolLog, 3620-3639).
    public static readonly EventId ProtocolLogRowsDropped = new(3620, nameof(ProtocolLogRowsDropped));
    public static readonly EventId ProtocolLogWriteFailed = new(3621, nameof(ProtocolLogWriteFailed));
    public static readonly EventId ProtocolLogWriteRecovered = new(3622, nameof(ProtocolLogWriteRecovered));
    public static readonly EventId ProtocolLogFileOpened = new(3623, nameof(ProtocolLogFileOpened));
    public static readonly EventId ProtocolLogFileDeleted = new(3624, nameof(ProtocolLogFileDeleted));
    public static readonly EventId ProtocolLogRetentionFailed = new(3625, nameof(ProtocolLogRetentionFailed));
}
