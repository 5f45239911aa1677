using System.Diagnostics;
using System.IO.Pipelines;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Proxy.Core.Backends;
using Proxy.Core.Backends.Connect;
using Proxy.Core.Backends.Drain;
using Proxy.Core.Configuration;
using Proxy.Core.Diagnostics;
using Proxy.Core.Directory;
using Proxy.Core.Discovery;
using Proxy.Core.Listening;
using Proxy.Core.Policy;
using Proxy.Core.PreAuth;
using Proxy.Core.Relay;
using Proxy.Core.Sessions.ProtocolLog;
using Proxy.Protocols.Imap;

namespace Proxy.Core.Sessions;

/// <summary>
/// The only place that knows the order of a session's steps. Protocol details
/// live behind <see cref="IFrontEndDialogue"/> (step 1) and the backend login
/// (step 5); everything here is the same for IMAP and POP3.
/// </summary>
internal sealed partial class SessionOrchestrator(
    IUserDirectory directory,
    ITopologyProvider topology,
    IMailboxLocator locator,
    ISessionPolicy policy,
    IBackendConnector connector,
    IDrainState drains,
    IOptionsMonitor<ProxyOptions> options,
    ProxyMetrics metrics,
    TimeProvider timeProvider,
    ILogger<SessionOrchestrator> logger,
    LoginThrottle throttle,
    ConnectionLimits limits,
    ProtocolLogs protocolLogs)
{
    /// <summary>How long a goodbye may take to write when the client is not reading.</summary>
    private static readonly TimeSpan GoodbyeTimeout = TimeSpan.FromSeconds(5);

    /// <param name="session">
    /// The session's entry in the registry: its <see cref="LiveSession.Closing"/> token asks for a goodbye
    /// at the next point where one fits, <see cref="LiveSession.Aborted"/> ends the session now.
    /// </param>
    public async Task RunAsync(MailProtocol protocol, ClientConnection client, IFrontEndDialogue dialogue, LiveSession session)
    {
        using var activity = ProxyActivitySource.Instance.StartActivity("session", ActivityKind.Server);
        SessionTracing.Started(activity, protocol, client);
        var protocolOptions = ProtocolOptions(protocol);
        var started = timeProvider.GetTimestamp();
        (string Server, string Site)? relayedTo = null;
        metrics.SessionStarted(protocol);
        Log.SessionStarted(logger, client.Id, protocol, client.RemoteEndPoint?.ToString(), client.IsImplicitTls);
        var protocolLog = protocolLogs.Open(protocol, client);
        try
        {
            var failures = 0;
            while (true)
            {
                // :: Step 1: pre-auth dialogue until the client offers credentials
                var login = await dialogue.ReadLoginAsync(session.Closing).ConfigureAwait(false);
                if (login is null)
                {
                    return;
                }

                // :: Steps 2-5: authenticate, locate, decide, connect + log in
                session.LoggingIn();
                var outcome = await LoginAsync(protocol, client, login, activity, session.Closing).ConfigureAwait(false);
                if (outcome.Backend is not { } backend)
                {
                    session.LoginFailed();
                    failures++;
                    metrics.Login(protocol, OutcomeName(outcome.Failure));
                    SessionTracing.LoginFailed(activity, OutcomeName(outcome.Failure), failures);
                    var closing = failures >= protocolOptions.MaxFailedLoginAttempts;
                    if (closing)
                    {
                        Log.TooManyFailedLogins(logger, client.Id, protocol, failures);
                    }

                    await dialogue.RejectLoginAsync(outcome.Failure, closing, session.Aborted).ConfigureAwait(false);
                    if (closing)
                    {
                        return;
                    }

                    continue;
                }

                await using (backend.ConfigureAwait(false))
                {
                    using var userLease = outcome.UserLease;
                    metrics.Login(protocol, "success");
                    SessionTracing.LoggedIn(activity, backend, client.IsEncrypted);
                    relayedTo = (backend.Server.Name, backend.Server.Site);
                    metrics.SessionLoggedIn(protocol, backend.Server.Name, backend.Server.Site);
                    // The client hears OK only now, after the backend accepted the login: never OK-then-fail.
                    await dialogue.AcceptLoginAsync(backend, session.Aborted).ConfigureAwait(false);

                    // :: Step 6: relay both ways until either side ends (or the session is asked to close)
                    using var relaySpan = ProxyActivitySource.Instance.StartActivity("relay");
                    var progress = new RelayProgress(protocol == MailProtocol.Imap ? new ImapResponseScanner() : null);
                    session.Relaying(outcome.User!, backend, progress);
                    var result = await DuplexRelay.RunAsync(
                        new DuplexPipe(client.Input, client.Output),
                        new DuplexPipe(backend.Input, backend.Output),
                        protocolOptions.AuthenticatedConnectionTimeout,
                        timeProvider,
                        session.Aborted,
                        (direction, bytes) => metrics.Relayed(protocol, direction, bytes),
                        progress,
                        stopAtBoundary: session.Closing,
                        backendStream: backend.Stream).ConfigureAwait(false);
                    StepTracing.Relayed(relaySpan, result);
                    protocolLog?.Relayed(backend.Server.Name, result, session.CloseReason);
                    if (RelayGoodbyeFor(protocol, client, session, backend, result, progress, protocolOptions) is { } goodbye)
                    {
                        await SayGoodbyeAsync(dialogue, goodbye).ConfigureAwait(false);
                    }

                    Log.RelayEnded(logger, client.Id, backend.Server.Name, result.End, result.ClientToBackendBytes, result.BackendToClientBytes);
                }

                return;
            }
        }
        catch (OperationCanceledException) when (session.CloseReason is { } reason)
        {
            // Asked to close before the relay (shutdown, an operator): the dialogue writes whole
            // responses only, so a goodbye fits here (IMAP * BYE, POP3 -ERR).
            await SayGoodbyeAsync(dialogue, reason.Goodbye()).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException or ObjectDisposedException)
        {
            Log.SessionFailed(logger, client.Id, ex.GetType().Name, ex.Message);
            activity?.SetStatus(ActivityStatusCode.Error, ex.GetType().Name);
        }
        finally
        {
            metrics.SessionEnded(protocol, relayedTo, timeProvider.GetElapsedTime(started));
            Log.SessionEnded(logger, client.Id, protocol);
            protocolLog?.Closed(session.CloseReason);
        }
    }

    private async Task<LoginOutcome> LoginAsync(MailProtocol protocol, ClientConnection client, LoginRequest login, Activity? sessionSpan, CancellationToken cancellationToken)
    {
        // :: Step 2: authenticate at the front end; a wrong password never reaches a backend.
        // The brute-force protection goes first: a tarpitted key waits before its password is
        // checked (so an attacker cannot learn the answer sooner by giving up on slow ones), and a
        // locked-out key is refused without the password hash being computed at all.
        if (await ThrottleAsync(client, login, cancellationToken).ConfigureAwait(false) is { } refused)
        {
            return refused;
        }

        DirectoryResult identity;
        using (var span = ProxyActivitySource.Instance.StartActivity("authenticate"))
        {
            identity = await directory.AuthenticateAsync(login.UserName, login.Password, cancellationToken).ConfigureAwait(false);
            StepTracing.Authenticated(span, identity);
        }

        if (identity.User is { } known)
        {
            SessionTracing.UserKnown(sessionSpan, known.UserPrincipalName);
        }

        if (identity.Outcome == DirectoryOutcome.Unavailable)
        {
            Log.DirectoryUnavailable(logger, client.Id, login.UserName);
            return LoginOutcome.Failed(LoginFailure.DirectoryUnavailable);
        }

        // A disabled account comes back with its user; it fails like a wrong password.
        if (identity.Outcome != DirectoryOutcome.Success || identity.User is not { } user)
        {
            throttle.RecordFailure(login.UserName, client.RemoteEndPoint);
            Log.InvalidCredentials(logger, client.Id, protocol, login.UserName, identity.Outcome, ClientAddress(client));
            return LoginOutcome.Failed(LoginFailure.InvalidCredentials);
        }

        throttle.RecordSuccess(login.UserName, client.RemoteEndPoint);

        // :: Step 3: locate the mailbox: database -> server version -> site -> candidates
        var snapshot = topology.Current;
        MailboxLocation? location;
        using (var span = ProxyActivitySource.Instance.StartActivity("discover"))
        {
            location = locator.Locate(user, protocol, snapshot);
            StepTracing.Discovered(span, location);
        }

        if (location is null)
        {
            // The locator has logged which part of the topology is missing.
            return LoginOutcome.Failed(LoginFailure.MailboxNotFound);
        }

        // :: Step 4: decide (cross-site, privileged accounts); the policy logs its own denials
        PolicyDecision decision;
        using (var span = ProxyActivitySource.Instance.StartActivity("policy"))
        {
            decision = policy.Evaluate(protocol, user, location, snapshot.LocalSite, ClientAddress(client));
            StepTracing.Decided(span, decision);
        }

        if (decision != PolicyDecision.Allowed)
        {
            return LoginOutcome.Failed(decision == PolicyDecision.CrossSiteDenied
                ? LoginFailure.CrossSiteDenied
                : LoginFailure.PrivilegedAccountDenied);
        }

        // Step 4 also counts the user's sessions (MaxConnectionsPerUser) before anything is dialled.
        if (limits.TryOpenUserSession(protocol, user.UserPrincipalName, ClientAddress(client)) is not { } userLease)
        {
            return LoginOutcome.Failed(LoginFailure.UserConnectionLimit);
        }

        var handedOver = false;
        try
        {
            var result = await ConnectBackendAsync(protocol, client, login, user, location, userLease, cancellationToken).ConfigureAwait(false);
            handedOver = result.Backend is not null;
            return result;
        }
        finally
        {
            if (!handedOver)
            {
                userLease.Dispose();
            }
        }
    }

    /// <summary>Null when the attempt may go on to the directory (after any tarpit wait); otherwise the refusal.</summary>
    private async ValueTask<LoginOutcome?> ThrottleAsync(ClientConnection client, LoginRequest login, CancellationToken cancellationToken)
    {
        var verdict = throttle.Check(login.UserName, client.RemoteEndPoint);
        if (verdict.Delay > TimeSpan.Zero)
        {
            Log.Tarpitted(logger, client.Id, login.UserName, ClientAddress(client), verdict.Delay);
            await Task.Delay(verdict.Delay, timeProvider, cancellationToken).ConfigureAwait(false);
        }

        if (verdict.LockedOutBy is { } scope)
        {
            Log.LockedOutRefused(logger, client.Id, login.UserName, ClientAddress(client), scope);
            return LoginOutcome.Failed(LoginFailure.LockedOut);
        }

        return null;
    }

    private async Task<LoginOutcome> ConnectBackendAsync(
        MailProtocol protocol,
        ClientConnection client,
        LoginRequest login,
        MailboxUser user,
        MailboxLocation location,
        IDisposable userLease,
        CancellationToken cancellationToken)
    {
        // :: Step 5: connect and log in, in the Exchange order for this client's encryption
        var attempts = ConnectionPlanner.Plan(location.Candidates, client.IsEncrypted, options.CurrentValue.Backends.AllowPlaintext);
        attempts = DrainFilter.Apply(drains, protocol, attempts, out var draining);
        if (draining > 0)
        {
            Log.DrainingAttemptsSkipped(logger, client.Id, draining, attempts.Count);
        }

        BackendConnectResult connected;
        using (var span = ProxyActivitySource.Instance.StartActivity("backend"))
        {
            var credentials = new BackendCredentials(user.UserPrincipalName, login.Password)
            {
                Client = ForwardedClient.From(client.RemoteEndPoint, client.LocalEndPoint, login.ClientId),
            };
            connected = await connector.ConnectAsync(protocol, attempts, credentials, cancellationToken).ConfigureAwait(false);
            StepTracing.Connected(span, connected, attempts.Count);
            client.ProtocolLog?.Backend(attempts, connected, credentials);
        }

        if (connected.Session is { } session)
        {
            Log.LoginSucceeded(logger, client.Id, protocol, user.UserPrincipalName, session.Server.Name, session.Endpoint.ToString(), ClientAddress(client));
            return LoginOutcome.Success(session, userLease, user.UserPrincipalName);
        }

        return LoginOutcome.Failed(connected.Failure == BackendFailureKind.AuthRejected
            ? LoginFailure.InvalidCredentials
            : LoginFailure.BackendUnavailable);
    }

    private string? RelayGoodbyeFor(MailProtocol protocol, ClientConnection client, LiveSession session, BackendSession backend, RelayResult result, RelayProgress progress, MailProtocolOptions protocolOptions)
    {
        var (goodbye, backendLost) = RelayGoodbye.Decide(result.End, progress, session.CloseReason);
        if (result.End == RelayEnd.IdleTimeout)
        {
            Log.IdleTimeout(logger, client.Id, protocolOptions.AuthenticatedConnectionTimeout);
        }

        if (backendLost)
        {
            metrics.SessionClosedByProxy(protocol, "backend_lost");
            Log.BackendLost(logger, client.Id, backend.Server.Name, result.End, goodbye is not null
                ? "told BYE"
                : protocol == MailProtocol.Imap ? "disconnected (a response was half-written)" : "disconnected (POP3 has no unsolicited error)");
        }

        return goodbye;
    }

    /// <summary>Writes the goodbye with its own deadline: the session's tokens may already be cancelled, and the client may not read.</summary>
    private async Task SayGoodbyeAsync(IFrontEndDialogue dialogue, string reason)
    {
        using var timeout = new CancellationTokenSource(GoodbyeTimeout, timeProvider);
        try
        {
            await dialogue.SayGoodbyeAsync(reason, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The client does not read: it will not see the goodbye; the connection closes anyway.
        }
    }

    private MailProtocolOptions ProtocolOptions(MailProtocol protocol) =>
        protocol == MailProtocol.Imap ? options.CurrentValue.Imap : options.CurrentValue.Pop3;

    private static string? ClientAddress(ClientConnection client) => client.RemoteEndPoint?.ToString();

    /// <summary>The <c>outcome</c> label of <c>proxy.logins</c>; also the protocol log's login outcome.</summary>
    internal static string OutcomeName(LoginFailure failure) => failure switch
    {
        LoginFailure.InvalidCredentials => "invalid_credentials",
        LoginFailure.PrivilegedAccountDenied => "privileged_denied",
        LoginFailure.CrossSiteDenied => "cross_site_denied",
        LoginFailure.BackendUnavailable => "backend_unavailable",
        LoginFailure.DirectoryUnavailable => "directory_unavailable",
        LoginFailure.MailboxNotFound => "mailbox_not_found",
        LoginFailure.UserConnectionLimit => "user_connection_limit",
        LoginFailure.LockedOut => "locked_out",
        _ => "privacy_required",
    };

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 3100, EventName = nameof(EventIds.SessionStarted), Level = LogLevel.Debug,
            Message = "Session {SessionId}: {Protocol} connection from {Client} (implicit TLS: {ImplicitTls})")]
        public static partial void SessionStarted(ILogger logger, string sessionId, MailProtocol protocol, string? client, bool implicitTls);

        [LoggerMessage(EventId = 3101, EventName = nameof(EventIds.SessionEnded), Level = LogLevel.Debug,
            Message = "Session {SessionId}: {Protocol} session ended")]
        public static partial void SessionEnded(ILogger logger, string sessionId, MailProtocol protocol);

        [LoggerMessage(EventId = 3108, EventName = nameof(EventIds.TooManyFailedLogins), Level = LogLevel.Warning,
            Message = "Session {SessionId}: {Protocol} connection closed after {Failures} failed logins")]
        public static partial void TooManyFailedLogins(ILogger logger, string sessionId, MailProtocol protocol, int failures);

        [LoggerMessage(EventId = 3109, EventName = nameof(EventIds.SessionFailed), Level = LogLevel.Information,
            Message = "Session {SessionId}: ended by {ErrorType}: {Reason}")]
        public static partial void SessionFailed(ILogger logger, string sessionId, string errorType, string reason);

        [LoggerMessage(EventId = 3200, EventName = nameof(EventIds.LoginSucceeded), Level = LogLevel.Information,
            Message = "Session {SessionId}: {Protocol} user {User} logged in on {Server} ({Endpoint}) from {Client}")]
        public static partial void LoginSucceeded(ILogger logger, string sessionId, MailProtocol protocol, string user, string server, string endpoint, string? client);

        [LoggerMessage(EventId = 3201, EventName = nameof(EventIds.LoginFailedInvalidCredentials), Level = LogLevel.Information,
            Message = "Session {SessionId}: {Protocol} login for {User} failed ({Outcome}) from {Client}")]
        public static partial void InvalidCredentials(ILogger logger, string sessionId, MailProtocol protocol, string user, DirectoryOutcome outcome, string? client);

        [LoggerMessage(EventId = 3221, EventName = nameof(EventIds.LoginRefusedLockedOut), Level = LogLevel.Information,
            Message = "Session {SessionId}: login for {User} from {Client} refused without checking the password: locked out ({Scope})")]
        public static partial void LockedOutRefused(ILogger logger, string sessionId, string user, string? client, ThrottleScope scope);

        [LoggerMessage(EventId = 3222, EventName = nameof(EventIds.LoginTarpitted), Level = LogLevel.Debug,
            Message = "Session {SessionId}: login for {User} from {Client} waits {Delay} after earlier failures")]
        public static partial void Tarpitted(ILogger logger, string sessionId, string user, string? client, TimeSpan delay);

        [LoggerMessage(EventId = 3203, EventName = nameof(EventIds.LoginFailedDirectoryUnavailable), Level = LogLevel.Error,
            Message = "Session {SessionId}: the directory could not be asked for {User}")]
        public static partial void DirectoryUnavailable(ILogger logger, string sessionId, string user);

        [LoggerMessage(EventId = 3103, EventName = nameof(EventIds.IdleTimeout), Level = LogLevel.Information,
            Message = "Session {SessionId}: idle for {Timeout} after login; closed")]
        public static partial void IdleTimeout(ILogger logger, string sessionId, TimeSpan timeout);

        [LoggerMessage(EventId = 3410, EventName = nameof(EventIds.RelayBackendLost), Level = LogLevel.Warning,
            Message = "Session {SessionId}: the connection to {Server} ended mid-session ({End}); client {ClientNotice}")]
        public static partial void BackendLost(ILogger logger, string sessionId, string server, RelayEnd end, string clientNotice);

        [LoggerMessage(EventId = 3554, EventName = nameof(EventIds.DrainingAttemptsSkipped), Level = LogLevel.Debug,
            Message = "Session {SessionId}: {Skipped} backend attempt(s) skipped because the endpoint is draining; {Left} left")]
        public static partial void DrainingAttemptsSkipped(ILogger logger, string sessionId, int skipped, int left);

        [LoggerMessage(EventId = 3400, EventName = nameof(EventIds.RelayEnded), Level = LogLevel.Information,
            Message = "Session {SessionId}: relay to {Server} ended ({End}); client->backend {Up} bytes, backend->client {Down} bytes")]
        public static partial void RelayEnded(ILogger logger, string sessionId, string server, RelayEnd end, long up, long down);
    }
}
