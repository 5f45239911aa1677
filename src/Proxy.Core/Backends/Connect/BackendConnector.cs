using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Security.Authentication;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Timeout;
using Proxy.Core.Backends.Login;
using Proxy.Core.Configuration;
using Proxy.Core.Diagnostics;
using Proxy.Core.Discovery;

namespace Proxy.Core.Backends.Connect;

/// <summary>
/// Step 5: walks the planned attempts in order within the time budget, and hands
/// back the first backend session that logged in. A rejected password ends the walk
/// at once; any other failure moves on to the next attempt.
/// </summary>
internal sealed partial class BackendConnector : IBackendConnector
{
    private readonly IOptionsMonitor<ProxyOptions> _options;
    private readonly ILogger<BackendConnector> _logger;
    private readonly TimeProvider _timeProvider;
    private readonly Dictionary<MailProtocol, IBackendLogin> _logins;
    private readonly BackendTls _tls;
    private readonly ProxyMetrics? _metrics;
    private readonly ConcurrentDictionary<TimeSpan, ResiliencePipeline> _timeouts = new();

    public BackendConnector(
        IOptionsMonitor<ProxyOptions> options,
        ILogger<BackendConnector> logger,
        TimeProvider timeProvider,
        IEnumerable<IBackendLogin> logins,
        ProxyMetrics? metrics = null)
    {
        _metrics = metrics;
        _options = options;
        _logger = logger;
        _timeProvider = timeProvider;
        _logins = logins.ToDictionary(login => login.Protocol);
        _tls = new BackendTls(logger);
    }

    public async Task<BackendConnectResult> ConnectAsync(
        MailProtocol protocol,
        IReadOnlyList<ConnectionAttempt> attempts,
        BackendCredentials credentials,
        CancellationToken cancellationToken)
    {
        var login = _logins.GetValueOrDefault(protocol)
            ?? throw new InvalidOperationException($"No backend login is registered for {protocol}.");
        var walk = new Walk(attempts, credentials, login, _options.CurrentValue.Backends, cancellationToken);
        var started = _timeProvider.GetTimestamp();
        try
        {
            // The budget covers the whole walk; each attempt also has its own limit inside it.
            var session = await Timeout(walk.Options.TotalTimeout)
                .ExecuteAsync(budgetToken => WalkAsync(walk, budgetToken), cancellationToken)
                .ConfigureAwait(false);
            if (session is not null)
            {
                return BackendConnectResult.Success(session);
            }
        }
        catch (TimeoutRejectedException)
        {
            walk.BudgetExpired = true;
        }

        var failure = walk.Outcome();
        if (failure != BackendFailureKind.AuthRejected)
        {
            Log.Unavailable(_logger, credentials.UserName, protocol, failure, walk.AttemptsMade, ElapsedMs(started));
        }

        return BackendConnectResult.Failed(failure);
    }

    private async ValueTask<BackendSession?> WalkAsync(Walk walk, CancellationToken budgetToken)
    {
        foreach (var attempt in walk.Attempts)
        {
            var (server, endpoint) = (attempt.Server, attempt.Endpoint);
            if (endpoint.Method == BackendMethod.Plain && !walk.Options.AllowPlaintext)
            {
                // The planner already filters these; never dial one if it did not.
                Log.PlaintextAttemptSkipped(_logger, server.Name, endpoint.ToString());
                continue;
            }

            walk.AttemptsMade++;
            if (walk.AttemptsMade > 1)
            {
                _metrics?.BackendFallback(server.Name, endpoint.Method);
            }

            using var span = AttemptTracing.Start(attempt, walk.AttemptsMade);
            var connection = new BackendConnection(attempt, _tls);
            var started = _timeProvider.GetTimestamp();
            BackendFailureKind kind;
            string reason;
            try
            {
                var session = await Timeout(walk.Options.AttemptTimeout)
                    .ExecuteAsync(attemptToken => AttemptAsync(connection, walk, attemptToken), budgetToken)
                    .ConfigureAwait(false);
                AttemptTracing.Succeeded(span, connection);
                Log.AttemptSucceeded(_logger, server.Name, endpoint.ToString(), endpoint.Method, walk.Credentials.UserName, ElapsedMs(started));
                _metrics?.BackendAttempt(server.Name, endpoint.Method, "success", _timeProvider.GetElapsedTime(started));
                if (endpoint.Method == BackendMethod.Plain)
                {
                    Log.PlaintextFallback(_logger, server.Name, endpoint.ToString(), walk.Credentials.UserName);
                }

                return session;
            }
            catch (Exception e) when (Classify(e, connection.State) is { } failure)
            {
                (kind, reason) = failure;
            }
            catch (OperationCanceledException) when (!walk.CallerToken.IsCancellationRequested)
            {
                // The budget ran out during this attempt; the budget's own timeout reports it.
                await connection.DisposeAsync().ConfigureAwait(false);
                AttemptTracing.Failed(span, connection, BackendFailureKind.Timeout, "the overall backend time budget ran out");
                Log.AttemptFailed(_logger, server.Name, endpoint.ToString(), endpoint.Method, BackendFailureKind.Timeout,
                    connection.State, ElapsedMs(started), "the overall backend time budget ran out");
                throw;
            }
            catch
            {
                await connection.DisposeAsync().ConfigureAwait(false);
                throw;
            }

            await connection.DisposeAsync().ConfigureAwait(false);
            walk.Record(kind);
            AttemptTracing.Failed(span, connection, kind, reason);
            _metrics?.BackendAttempt(server.Name, endpoint.Method, BackendOutcomes.Name(kind), _timeProvider.GetElapsedTime(started));
            Log.AttemptFailed(_logger, server.Name, endpoint.ToString(), endpoint.Method, kind, connection.State, ElapsedMs(started), reason);
            if (kind == BackendFailureKind.AuthRejected)
            {
                Log.RejectedCredentials(_logger, server.Name, walk.Credentials.UserName);
                return null;
            }
        }

        return null;
    }

    private async ValueTask<BackendSession> AttemptAsync(BackendConnection connection, Walk walk, CancellationToken attemptToken)
    {
        var endpoint = connection.Attempt.Endpoint;
        Socket socket;
        try
        {
            socket = await Timeout(walk.Options.ConnectTimeout)
                .ExecuteAsync(connectToken => BackendSocket.ConnectAsync(endpoint.Host, endpoint.Port, connectToken), attemptToken)
                .ConfigureAwait(false);
        }
        catch (TimeoutRejectedException e)
        {
            throw new BackendFailureException(BackendFailureKind.Timeout, $"TCP connect took longer than {walk.Options.ConnectTimeout}", e);
        }

        await connection.OpenAsync(socket, attemptToken).ConfigureAwait(false);
        var loginResponse = await walk.Login.LoginAsync(connection, walk.Credentials, attemptToken).ConfigureAwait(false);
        return connection.ToSession(loginResponse);
    }

    private static (BackendFailureKind Kind, string Reason)? Classify(Exception exception, string state) => exception switch
    {
        BackendFailureException e => (e.Kind, e.Message),
        // A server that accepts connections but never greets is as broken as one that greets wrongly.
        TimeoutRejectedException when state == BackendLoginState.Banner => (BackendFailureKind.BadGreeting, "no greeting within Backends:AttemptTimeout"),
        TimeoutRejectedException => (BackendFailureKind.Timeout, "the attempt ran past Backends:AttemptTimeout"),
        AuthenticationException e => (BackendFailureKind.Tls, e.Message),
        // The connection broke under the dialogue (reset, closed mid-write).
        SocketException or IOException or ObjectDisposedException => (BackendFailureKind.Connect, exception.Message),
        _ => null,
    };

    private ResiliencePipeline Timeout(TimeSpan timeout) =>
        _timeouts.GetOrAdd(timeout, t => new ResiliencePipelineBuilder { TimeProvider = _timeProvider }.AddTimeout(t).Build());

    private long ElapsedMs(long started) => (long)_timeProvider.GetElapsedTime(started).TotalMilliseconds;

    /// <summary>One call's walk: its inputs and what the attempts so far said.</summary>
    private sealed class Walk(
        IReadOnlyList<ConnectionAttempt> attempts,
        BackendCredentials credentials,
        IBackendLogin login,
        BackendOptions options,
        CancellationToken callerToken)
    {
        private bool _anyTemporaryFailure;
        private BackendFailureKind _lastFailure = BackendFailureKind.NoEndpoints;

        public IReadOnlyList<ConnectionAttempt> Attempts { get; } = attempts;

        public BackendCredentials Credentials { get; } = credentials;

        public IBackendLogin Login { get; } = login;

        public BackendOptions Options { get; } = options;

        public CancellationToken CallerToken { get; } = callerToken;

        public int AttemptsMade { get; set; }

        public bool BudgetExpired { get; set; }

        public void Record(BackendFailureKind kind)
        {
            _lastFailure = kind;
            _anyTemporaryFailure |= kind == BackendFailureKind.AuthTempFail;
        }

        /// <summary>
        /// The most telling reason for the client: a rejected password stands; a
        /// backend that said "try later" outweighs the budget running out, which
        /// outweighs whatever the last attempt said.
        /// </summary>
        public BackendFailureKind Outcome() =>
            _lastFailure == BackendFailureKind.AuthRejected ? BackendFailureKind.AuthRejected
            : _anyTemporaryFailure ? BackendFailureKind.AuthTempFail
            : BudgetExpired ? BackendFailureKind.Timeout
            : _lastFailure;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 3300, EventName = nameof(EventIds.BackendAttemptSucceeded), Level = LogLevel.Information,
            Message = "Backend {Server} at {Endpoint} method={Method}: logged in as {UserName} in {ElapsedMs} ms")]
        public static partial void AttemptSucceeded(ILogger logger, string server, string endpoint, BackendMethod method, string userName, long elapsedMs);

        [LoggerMessage(EventId = 3301, EventName = nameof(EventIds.BackendAttemptFailed), Level = LogLevel.Warning,
            Message = "Backend {Server} at {Endpoint} method={Method}: attempt failed: {Kind} (state={State}) after {ElapsedMs} ms: {Reason}")]
        public static partial void AttemptFailed(
            ILogger logger, string server, string endpoint, BackendMethod method, BackendFailureKind kind, string state, long elapsedMs, string reason);

        [LoggerMessage(EventId = 3302, EventName = nameof(EventIds.BackendPlaintextFallback), Level = LogLevel.Warning,
            Message = "Backend {Server} at {Endpoint}: the session of {UserName} uses plaintext; credentials and mail cross the network unencrypted")]
        public static partial void PlaintextFallback(ILogger logger, string server, string endpoint, string userName);

        [LoggerMessage(EventId = 3303, EventName = nameof(EventIds.BackendUnavailable), Level = LogLevel.Warning,
            Message = "No {Protocol} backend logged in {UserName}: {Kind} after {Attempts} attempt(s) in {ElapsedMs} ms")]
        public static partial void Unavailable(ILogger logger, string userName, MailProtocol protocol, BackendFailureKind kind, int attempts, long elapsedMs);

        [LoggerMessage(EventId = 3304, EventName = nameof(EventIds.BackendRejectedCredentials), Level = LogLevel.Information,
            Message = "Backend {Server} rejected the credentials of {UserName}; no other backend is tried")]
        public static partial void RejectedCredentials(ILogger logger, string server, string userName);

        [LoggerMessage(EventId = 3310, EventName = nameof(EventIds.BackendPlaintextAttemptSkipped), Level = LogLevel.Warning,
            Message = "Backend {Server} at {Endpoint}: plaintext attempt not made because Backends:AllowPlaintext is false")]
        public static partial void PlaintextAttemptSkipped(ILogger logger, string server, string endpoint);
    }
}
