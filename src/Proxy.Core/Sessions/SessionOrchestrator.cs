using System.Diagnostics;
using System.IO.Pipelines;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Proxy.Core.Backends;
using Proxy.Core.Backends.Connect;
using Proxy.Core.Configuration;
using Proxy.Core.Diagnostics;
using Proxy.Core.Directory;
using Proxy.Core.Discovery;
using Proxy.Core.Listening;
using Proxy.Core.Policy;
using Proxy.Core.PreAuth;
using Proxy.Core.Relay;

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
    IOptionsMonitor<ProxyOptions> options,
    ProxyMetrics metrics,
    TimeProvider timeProvider,
    ILogger<SessionOrchestrator> logger)
{
    public async Task RunAsync(MailProtocol protocol, ClientConnection client, IFrontEndDialogue dialogue, CancellationToken cancellationToken)
    {
        using var activity = ProxyActivitySource.Instance.StartActivity("session", ActivityKind.Server);
        activity?.SetTag("proxy.protocol", ProxyMetrics.ProtocolName(protocol));
        activity?.SetTag("client.address", client.RemoteEndPoint?.ToString());
        var protocolOptions = ProtocolOptions(protocol);
        metrics.SessionStarted(protocol);
        Log.SessionStarted(logger, client.Id, protocol, client.RemoteEndPoint?.ToString(), client.IsImplicitTls);
        try
        {
            var failures = 0;
            while (true)
            {
                // :: Step 1: pre-auth dialogue until the client offers credentials
                var login = await dialogue.ReadLoginAsync(cancellationToken).ConfigureAwait(false);
                if (login is null)
                {
                    return;
                }

                // :: Steps 2-5: authenticate, locate, decide, connect + log in
                var outcome = await LoginAsync(protocol, client, login, cancellationToken).ConfigureAwait(false);
                if (outcome.Backend is not { } backend)
                {
                    failures++;
                    metrics.Login(protocol, OutcomeName(outcome.Failure));
                    var closing = failures >= protocolOptions.MaxFailedLoginAttempts;
                    if (closing)
                    {
                        Log.TooManyFailedLogins(logger, client.Id, protocol, failures);
                    }

                    await dialogue.RejectLoginAsync(outcome.Failure, closing, cancellationToken).ConfigureAwait(false);
                    if (closing)
                    {
                        return;
                    }

                    continue;
                }

                await using (backend.ConfigureAwait(false))
                {
                    metrics.Login(protocol, "success");
                    // The client hears OK only now, after the backend accepted the login: never OK-then-fail.
                    await dialogue.AcceptLoginAsync(backend, cancellationToken).ConfigureAwait(false);

                    // :: Step 6: relay both ways until either side ends
                    using var relaySpan = ProxyActivitySource.Instance.StartActivity("relay");
                    var result = await DuplexRelay.RunAsync(
                        new DuplexPipe(client.Input, client.Output),
                        new DuplexPipe(backend.Input, backend.Output),
                        protocolOptions.AuthenticatedConnectionTimeout,
                        timeProvider,
                        cancellationToken).ConfigureAwait(false);
                    metrics.Relayed(protocol, result.ClientToBackendBytes, result.BackendToClientBytes);
                    relaySpan?.SetTag("proxy.relay.end", result.End.ToString());
                    if (result.End == RelayEnd.IdleTimeout)
                    {
                        // Both pumps have stopped and nothing crossed for the whole timeout, so no
                        // response is half-written: the goodbye cannot corrupt the stream.
                        Log.IdleTimeout(logger, client.Id, protocolOptions.AuthenticatedConnectionTimeout);
                        await dialogue.SayGoodbyeAsync("Disconnected for inactivity.", cancellationToken).ConfigureAwait(false);
                    }

                    Log.RelayEnded(logger, client.Id, backend.Server.Name, result.End, result.ClientToBackendBytes, result.BackendToClientBytes);
                }

                return;
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The connection closed or the host is stopping.
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException or ObjectDisposedException)
        {
            Log.SessionFailed(logger, client.Id, ex.GetType().Name, ex.Message);
            activity?.SetStatus(ActivityStatusCode.Error, ex.GetType().Name);
        }
        finally
        {
            metrics.SessionEnded(protocol);
            Log.SessionEnded(logger, client.Id, protocol);
        }
    }

    private async Task<LoginOutcome> LoginAsync(MailProtocol protocol, ClientConnection client, LoginRequest login, CancellationToken cancellationToken)
    {
        // :: Step 2: authenticate at the front end; a wrong password never reaches a backend
        DirectoryResult identity;
        using (ProxyActivitySource.Instance.StartActivity("authenticate"))
        {
            identity = await directory.AuthenticateAsync(login.UserName, login.Password, cancellationToken).ConfigureAwait(false);
        }

        if (identity.Outcome == DirectoryOutcome.Unavailable)
        {
            Log.DirectoryUnavailable(logger, client.Id, login.UserName);
            return LoginOutcome.Failed(LoginFailure.DirectoryUnavailable);
        }

        if (identity.User is not { } user)
        {
            Log.InvalidCredentials(logger, client.Id, protocol, login.UserName, identity.Outcome, ClientAddress(client));
            return LoginOutcome.Failed(LoginFailure.InvalidCredentials);
        }

        // :: Step 3: locate the mailbox: database -> server version -> site -> candidates
        var snapshot = topology.Current;
        MailboxLocation? location;
        using (ProxyActivitySource.Instance.StartActivity("discover"))
        {
            location = locator.Locate(user, protocol, snapshot);
        }

        if (location is null)
        {
            // The locator has logged which part of the topology is missing.
            return LoginOutcome.Failed(LoginFailure.MailboxNotFound);
        }

        // :: Step 4: decide (cross-site, privileged accounts); the policy logs its own denials
        var decision = policy.Evaluate(protocol, user, location, snapshot.LocalSite, ClientAddress(client));
        if (decision != PolicyDecision.Allowed)
        {
            return LoginOutcome.Failed(decision == PolicyDecision.CrossSiteDenied
                ? LoginFailure.CrossSiteDenied
                : LoginFailure.PrivilegedAccountDenied);
        }

        // :: Step 5: connect and log in, in the Exchange order for this client's encryption
        var attempts = ConnectionPlanner.Plan(location.Candidates, client.IsEncrypted, options.CurrentValue.Backends.AllowPlaintext);
        BackendConnectResult connected;
        using (var span = ProxyActivitySource.Instance.StartActivity("backend"))
        {
            var credentials = new BackendCredentials(user.UserPrincipalName, login.Password)
            {
                Client = ForwardedClient.From(client.RemoteEndPoint, client.LocalEndPoint, login.ClientId),
            };
            connected = await connector.ConnectAsync(protocol, attempts, credentials, cancellationToken).ConfigureAwait(false);
            span?.SetTag("proxy.backend.outcome", connected.Failure.ToString());
            span?.SetTag("proxy.backend.server", connected.Session?.Server.Name);
            span?.SetTag("proxy.backend.method", connected.Session is { } s ? ProxyMetrics.MethodName(s.Method) : null);
        }

        if (connected.Session is { } session)
        {
            Log.LoginSucceeded(logger, client.Id, protocol, user.UserPrincipalName, session.Server.Name, session.Endpoint.ToString(), ClientAddress(client));
            return LoginOutcome.Success(session);
        }

        return LoginOutcome.Failed(connected.Failure == BackendFailureKind.AuthRejected
            ? LoginFailure.InvalidCredentials
            : LoginFailure.BackendUnavailable);
    }

    private MailProtocolOptions ProtocolOptions(MailProtocol protocol) =>
        protocol == MailProtocol.Imap ? options.CurrentValue.Imap : options.CurrentValue.Pop3;

    private static string? ClientAddress(ClientConnection client) => client.RemoteEndPoint?.ToString();

    private static string OutcomeName(LoginFailure failure) => failure switch
    {
        LoginFailure.InvalidCredentials => "invalid_credentials",
        LoginFailure.PrivilegedAccountDenied => "privileged_denied",
        LoginFailure.CrossSiteDenied => "cross_site_denied",
        LoginFailure.BackendUnavailable => "backend_unavailable",
        LoginFailure.DirectoryUnavailable => "directory_unavailable",
        LoginFailure.MailboxNotFound => "mailbox_not_found",
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

        [LoggerMessage(EventId = 3203, EventName = nameof(EventIds.LoginFailedDirectoryUnavailable), Level = LogLevel.Error,
            Message = "Session {SessionId}: the directory could not be asked for {User}")]
        public static partial void DirectoryUnavailable(ILogger logger, string sessionId, string user);

        [LoggerMessage(EventId = 3103, EventName = nameof(EventIds.IdleTimeout), Level = LogLevel.Information,
            Message = "Session {SessionId}: idle for {Timeout} after login; closed")]
        public static partial void IdleTimeout(ILogger logger, string sessionId, TimeSpan timeout);

        [LoggerMessage(EventId = 3400, EventName = nameof(EventIds.RelayEnded), Level = LogLevel.Information,
            Message = "Session {SessionId}: relay to {Server} ended ({End}); client->backend {Up} bytes, backend->client {Down} bytes")]
        public static partial void RelayEnded(ILogger logger, string sessionId, string server, RelayEnd end, long up, long down);
    }
}
