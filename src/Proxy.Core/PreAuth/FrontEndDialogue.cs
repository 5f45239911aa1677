using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Proxy.Core.Backends;
using Proxy.Core.Configuration;
using Proxy.Core.Diagnostics;
using Proxy.Core.Listening;
using Proxy.Core.Sessions;
using Proxy.Core.Sessions.ProtocolLog;
using Proxy.Protocols.Common;
using Proxy.Protocols.Sasl;

namespace Proxy.Core.PreAuth;

/// <summary>
/// What the IMAP and POP3 dialogues share: the inactivity timeout on every read
/// and the bound on the whole pre-auth phase, the STARTTLS/STLS switch, the SASL
/// exchanges, the count of refused commands, and turning a broken connection into
/// a clean end of the dialogue. The protocols supply the command handling and the wording.
/// </summary>
internal abstract partial class FrontEndDialogue : IFrontEndDialogue
{
    private readonly MailProtocolOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly bool _trustedNetwork;
    private readonly long _started;
    private int _badCommands;
    private bool _durationExceeded;

    protected FrontEndDialogue(ClientConnection connection, MailProtocolOptions options, TimeProvider timeProvider, ILogger logger)
    {
        Connection = connection;
        _options = options;
        _timeProvider = timeProvider;
        _logger = logger;
        _trustedNetwork = NetworkList.Of(options.TrustedNetworks).Contains(connection.RemoteEndPoint);
        _started = timeProvider.GetTimestamp();
    }

    protected ClientConnection Connection { get; }

    protected ILogger Logger => _logger;

    protected int MaxCommandSize => _options.MaxCommandSize;

    /// <summary>The session's protocol log recorder; null when the log is off (every use is a null check).</summary>
    protected ProtocolLogSession? ProtocolLog => Connection.ProtocolLog;

    /// <summary>
    /// Credentials may be offered now: PlainTextLogin allows them in clear, the other login
    /// types only over TLS, except from a trusted network. Every mechanism offered (IMAP LOGIN,
    /// POP3 USER/PASS, SASL PLAIN and LOGIN) carries the password in clear, so
    /// PlainTextAuthentication and SecureLogin cannot differ here (docs/configuration.md).
    /// </summary>
    protected bool LoginAllowed => _options.LoginType == LoginType.PlainTextLogin || Connection.IsEncrypted || _trustedNetwork;

    public async ValueTask<LoginRequest?> ReadLoginAsync(CancellationToken cancellationToken)
    {
        try
        {
            var login = await RunAsync(cancellationToken).ConfigureAwait(false);
            if (login is null)
            {
                Log.ConnectionLost(_logger, Connection.Id, "dialogue ended", null);
            }
            else
            {
                ProtocolLog?.LoggingIn(login.UserName);
            }

            return login;
        }
        catch (TimeoutException) when (_durationExceeded)
        {
            Log.PreAuthDurationExceeded(_logger, Connection.Id, _options.MaxPreAuthenticatedDuration);
            await SayGoodbyeAsync("Disconnected: too long without logging in.", cancellationToken).ConfigureAwait(false);
            return null;
        }
        catch (TimeoutException)
        {
            Log.PreAuthTimeout(_logger, Connection.Id, _options.PreAuthenticatedConnectionTimeout);
            await SayGoodbyeAsync("Disconnected for inactivity.", cancellationToken).ConfigureAwait(false);
            return null;
        }
        catch (Exception ex) when (IsConnectionFailure(ex, cancellationToken))
        {
            Log.ConnectionLost(_logger, Connection.Id, ex.Message, ex);
            return null;
        }
    }

    public async ValueTask RejectLoginAsync(LoginFailure failure, bool closing, CancellationToken cancellationToken)
    {
        await WriteSafelyAsync(() => WriteRejection(failure, closing), cancellationToken).ConfigureAwait(false);
        ProtocolLog?.EndCommand(SessionOrchestrator.OutcomeName(failure));
    }

    public async ValueTask AcceptLoginAsync(BackendSession backend, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(backend);
        await WriteSafelyAsync(() => WriteAcceptance(backend.LoginResponse), cancellationToken).ConfigureAwait(false);

        // The client hears the backend's own status word (IMAP OK, POP3 +OK).
        ProtocolLog?.Responded(backend.LoginResponse.Split(' ', 2)[0]);
        ProtocolLog?.EndCommand("success");
    }

    public ValueTask SayGoodbyeAsync(string reason, CancellationToken cancellationToken) =>
        WriteSafelyAsync(() => WriteGoodbye(reason), cancellationToken);

    public ValueTask RefuseConnectionAsync(ConnectionRefusal refusal, CancellationToken cancellationToken) =>
        WriteSafelyAsync(() => WriteConnectionRefusal(refusal), cancellationToken);

    /// <summary>Greets on the first call, then answers commands until one yields credentials or ends the session.</summary>
    protected abstract ValueTask<LoginRequest?> RunAsync(CancellationToken cancellationToken);

    protected abstract void WriteRejection(LoginFailure failure, bool closing);

    protected abstract void WriteAcceptance(string loginResponse);

    protected abstract void WriteGoodbye(string reason);

    protected abstract void WriteConnectionRefusal(ConnectionRefusal refusal);

    /// <summary>The text after the response code when a connection limit refuses a connection; the same for both protocols.</summary>
    protected static string ConnectionRefusalText(ConnectionRefusal refusal) => refusal switch
    {
        ConnectionRefusal.MaxConnections => "Too many connections to this server; try again later.",
        ConnectionRefusal.MaxConnectionFromSingleIP => "Too many connections from your address; try again later.",
        _ => throw new ArgumentOutOfRangeException(nameof(refusal)),
    };

    /// <summary>
    /// Reads the next chunk; throws <see cref="TimeoutException"/> when the client stays silent
    /// too long, or when the pre-auth phase as a whole has lasted too long.
    /// </summary>
    protected async ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken)
    {
        // A fresh timer per read: the inactivity timeout is about silence. The whole phase has its
        // own bound, so a client that trickles a byte at a time cannot stay before login forever.
        var (timeout, phaseBound) = NextTimeout();
        ReadResult result;
        using var timer = new CancellationTokenSource(timeout, _timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timer.Token);
        try
        {
            result = await Connection.Input.ReadAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (timer.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            // Which bound this timer stood for, not a fresh clock reading: timers may fire a hair early.
            _durationExceeded = phaseBound;
            throw new TimeoutException();
        }

        if (result.IsCanceled)
        {
            throw new EndOfStreamException("The pending read was cancelled.");
        }

        return result;
    }

    /// <summary>Reads one line (a SASL response); throws <see cref="EndOfStreamException"/> when the client left.</summary>
    protected async ValueTask<(LineStatus Status, byte[] Line)> ReadLineAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await ReadAsync(cancellationToken).ConfigureAwait(false);
            var status = LineReader.TryReadLine(result.Buffer, MaxCommandSize, out var line, out var consumed, out var examined);
            var bytes = status is LineStatus.Complete or LineStatus.ContainsNul ? line.ToArray() : [];
            Connection.Input.AdvanceTo(consumed, examined);
            if (status != LineStatus.Incomplete)
            {
                return (status, bytes);
            }

            if (result.IsCompleted)
            {
                throw new EndOfStreamException();
            }
        }
    }

    protected async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        if (ProtocolLog is { } log && Connection.Output.CanGetUnflushedBytes)
        {
            log.Sent(Connection.Output.UnflushedBytes);
        }

        var result = await Connection.Output.FlushAsync(cancellationToken).ConfigureAwait(false);
        if (result.IsCompleted)
        {
            throw new EndOfStreamException("The client stopped reading.");
        }
    }

    /// <summary>
    /// Drops what the client sent after the STARTTLS/STLS line, writes and flushes
    /// the go-ahead, then runs the handshake. Bytes that arrived in clear must not
    /// be taken as if they came over TLS (CVE-2011-0411). They are dropped before
    /// the go-ahead is sent, because after it the client's TLS hello may already be
    /// in the buffer; anything injected later reaches the handshake and fails it.
    /// False when the handshake failed: the session ends.
    /// </summary>
    protected async ValueTask<bool> StartTlsAsync(Action writeGoAhead, CancellationToken cancellationToken)
    {
        // Taken before the go-ahead: once it is sent, a goodbye in clear would land in the client's handshake.
        var (handshakeTimeout, _) = NextTimeout();
        if (Connection.Input.TryRead(out var pending))
        {
            var length = pending.Buffer.Length;
            Connection.Input.AdvanceTo(pending.Buffer.End);
            if (length > 0)
            {
                Log.PipelinedBytesDiscarded(_logger, Connection.Id, length);
            }
        }

        writeGoAhead();
        await FlushAsync(cancellationToken).ConfigureAwait(false);

        // The handshake is bounded by the same inactivity timeout: a client that asks for TLS and then stays silent must not hold the session.
        using var timer = new CancellationTokenSource(handshakeTimeout, _timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timer.Token);
        try
        {
            await Connection.UpgradeToTlsAsync(linked.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Clients fail handshakes all the time (wrong trust store, probes): Debug, as Kestrel does.
            Log.StartTlsFailed(_logger, Connection.Id, ex);
            ProtocolLog?.Note("tls=failed");
            return false;
        }

        Log.StartTlsCompleted(_logger, Connection.Id);
        ProtocolLog?.Note("tls=established");
        return true;
    }

    /// <summary>
    /// Runs PLAIN or LOGIN (upper case) to the end: continuations, the client's
    /// answers, decoding and the credential check. <paramref name="initialResponse"/>
    /// is the base64 text given with the command (SASL-IR, POP3 AUTH), if any.
    /// </summary>
    protected async ValueTask<(SaslOutcome Outcome, string UserName, string Password)> RunSaslAsync(
        string mechanism,
        byte[]? initialResponse,
        CancellationToken cancellationToken)
    {
        if (mechanism == SaslPlain.Name)
        {
            byte[] message;
            if (initialResponse is not null)
            {
                if (!SaslBase64.TryDecodeInitialResponse(initialResponse, out message))
                {
                    return (SaslOutcome.InvalidBase64, "", "");
                }
            }
            else
            {
                var (outcome, response) = await ChallengeAsync("", cancellationToken).ConfigureAwait(false);
                if (outcome != SaslOutcome.Success)
                {
                    return (outcome, "", "");
                }

                if (!SaslBase64.TryDecode(response, out message))
                {
                    return (SaslOutcome.InvalidBase64, "", "");
                }
            }

            if (SaslPlain.TryParseMessage(message, out var credentials) != SaslStatus.Success
                || (credentials!.AuthorizationId.Length > 0 && credentials.AuthorizationId != credentials.UserName))
            {
                // The proxy cannot act for another identity: a different authzid fails like bad credentials.
                Log.CredentialsRefused(_logger, Connection.Id, mechanism, "malformed PLAIN message or foreign authorization identity");
                return (SaslOutcome.Failed, "", "");
            }

            return Check(mechanism, credentials.UserName, credentials.Password);
        }

        string userName;
        if (initialResponse is not null)
        {
            var status = SaslLogin.TryDecodeInitialResponse(initialResponse, out userName);
            if (status != SaslStatus.Success)
            {
                return (ToOutcome(status), "", "");
            }
        }
        else
        {
            var (status, value) = await AskLoginAsync(SaslLogin.UserNameChallenge, cancellationToken).ConfigureAwait(false);
            if (status != SaslOutcome.Success)
            {
                return (status, "", "");
            }

            userName = value;
        }

        var (passwordStatus, password) = await AskLoginAsync(SaslLogin.PasswordChallenge, cancellationToken).ConfigureAwait(false);
        return passwordStatus == SaslOutcome.Success ? Check(mechanism, userName, password) : (passwordStatus, "", "");
    }

    /// <summary>
    /// Credentials that could break the backend's command line (CR, LF, NUL) or that
    /// are empty never leave the dialogue; the client sees a failed authentication.
    /// </summary>
    protected bool AreAcceptable(string mechanism, string userName, string password)
    {
        if (userName.Length == 0 || password.Length == 0)
        {
            Log.CredentialsRefused(_logger, Connection.Id, mechanism, "empty user name or password");
            return false;
        }

        if (userName.AsSpan().IndexOfAny('\r', '\n', '\0') >= 0 || password.AsSpan().IndexOfAny('\r', '\n', '\0') >= 0)
        {
            Log.CredentialsRefused(_logger, Connection.Id, mechanism, "CR, LF or NUL in user name or password");
            return false;
        }

        if (!Connection.IsEncrypted && _options.LoginType != LoginType.PlainTextLogin)
        {
            // Only a trusted network gets here; an operator auditing clear-text logins wants to see them.
            Log.ClearTextFromTrustedNetwork(_logger, Connection.Id, mechanism, Connection.RemoteEndPoint?.ToString());
        }

        return true;
    }

    protected void LogProtocolError(string error) => Log.ClientProtocolError(_logger, Connection.Id, error);

    /// <summary>
    /// Counts a command the dialogue refused itself (unknown, malformed, not allowed yet,
    /// cancelled or invalid SASL). True when it is the last one allowed: the caller says so
    /// and ends the session, as Dovecot does after too many bad commands.
    /// </summary>
    protected bool IsLastBadCommand()
    {
        if (++_badCommands < _options.MaxBadCommands)
        {
            return false;
        }

        Log.TooManyBadCommands(_logger, Connection.Id, _badCommands);
        return true;
    }

    protected void LogPrivacyRequired(string mechanism) => Log.PrivacyRequired(_logger, Connection.Id, mechanism);

    private (SaslOutcome Outcome, string UserName, string Password) Check(string mechanism, string userName, string password) =>
        AreAcceptable(mechanism, userName, password) ? (SaslOutcome.Success, userName, password) : (SaslOutcome.Failed, "", "");

    private async ValueTask<(SaslOutcome Outcome, string Value)> AskLoginAsync(string challenge, CancellationToken cancellationToken)
    {
        var (outcome, response) = await ChallengeAsync(challenge, cancellationToken).ConfigureAwait(false);
        if (outcome != SaslOutcome.Success)
        {
            return (outcome, "");
        }

        var status = SaslLogin.TryDecodeResponse(response, out var value);
        return (ToOutcome(status), value);
    }

    /// <summary>Both protocols send a challenge as <c>+ base64</c> and take <c>*</c> as cancel.</summary>
    private async ValueTask<(SaslOutcome Outcome, byte[] Response)> ChallengeAsync(string challenge, CancellationToken cancellationToken)
    {
        LineWriter.WriteLine(Connection.Output, "+ " + challenge);
        await FlushAsync(cancellationToken).ConfigureAwait(false);
        var (status, line) = await ReadLineAsync(cancellationToken).ConfigureAwait(false);

        // Whatever a SASL line holds (a password, a PLAIN blob with both names, a cancel), the log shows ****.
        ProtocolLog?.SaslResponse(line.Length + 2);
        return status switch
        {
            LineStatus.TooLong => (SaslOutcome.LineTooLong, []),
            LineStatus.ContainsNul => (SaslOutcome.InvalidBase64, []),
            _ when line.AsSpan().SequenceEqual("*"u8) => (SaslOutcome.Cancelled, []),
            _ => (SaslOutcome.Success, line),
        };
    }

    /// <summary>The inactivity timeout, or what is left of the whole pre-auth phase when that is shorter.</summary>
    private (TimeSpan Timeout, bool PhaseBound) NextTimeout()
    {
        var remaining = RemainingDuration();
        if (remaining <= TimeSpan.Zero)
        {
            _durationExceeded = true;
            throw new TimeoutException();
        }

        var idle = _options.PreAuthenticatedConnectionTimeout;
        return idle > TimeSpan.Zero && idle < remaining ? (idle, false) : (remaining, true);
    }

    private TimeSpan RemainingDuration() => _options.MaxPreAuthenticatedDuration - _timeProvider.GetElapsedTime(_started);

    private static SaslOutcome ToOutcome(SaslStatus status) => status switch
    {
        SaslStatus.Success => SaslOutcome.Success,
        SaslStatus.InvalidBase64 => SaslOutcome.InvalidBase64,
        _ => SaslOutcome.Failed,
    };

    private async ValueTask WriteSafelyAsync(Action write, CancellationToken cancellationToken)
    {
        try
        {
            write();
            await FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsConnectionFailure(ex, cancellationToken))
        {
            Log.ConnectionLost(_logger, Connection.Id, ex.Message, ex);
        }
    }

    /// <summary>
    /// The ways a client connection breaks: resets, a completed pipe, a transport
    /// aborted under us (Kestrel's ConnectionAbortedException is an
    /// OperationCanceledException). Only the caller's own cancellation propagates.
    /// </summary>
    private static bool IsConnectionFailure(Exception ex, CancellationToken cancellationToken) => ex switch
    {
        OperationCanceledException => !cancellationToken.IsCancellationRequested,
        IOException or SocketException or ObjectDisposedException => true,
        _ => false,
    };

    /// <summary>Ids are those of <see cref="EventIds"/>; the attribute needs constants, so the names tie them.</summary>
    private static partial class Log
    {
        [LoggerMessage(3110, LogLevel.Debug, "Connection {ConnectionId} ended before login: {Reason}", EventName = nameof(EventIds.PreAuthConnectionLost))]
        public static partial void ConnectionLost(ILogger logger, string connectionId, string reason, Exception? exception);

        [LoggerMessage(3102, LogLevel.Information, "Connection {ConnectionId} was silent for {Timeout} before login and is closed.", EventName = nameof(EventIds.PreAuthTimeout))]
        public static partial void PreAuthTimeout(ILogger logger, string connectionId, TimeSpan timeout);

        [LoggerMessage(3104, LogLevel.Debug, "Connection {ConnectionId} completed STARTTLS.", EventName = nameof(EventIds.StartTlsCompleted))]
        public static partial void StartTlsCompleted(ILogger logger, string connectionId);

        [LoggerMessage(3105, LogLevel.Debug, "Connection {ConnectionId} failed the STARTTLS handshake; the session ends.", EventName = nameof(EventIds.StartTlsFailed))]
        public static partial void StartTlsFailed(ILogger logger, string connectionId, Exception exception);

        [LoggerMessage(3106, LogLevel.Warning, "Connection {ConnectionId} sent {ByteCount} bytes after STARTTLS before the handshake; they were discarded.", EventName = nameof(EventIds.StartTlsPipelinedBytesDiscarded))]
        public static partial void PipelinedBytesDiscarded(ILogger logger, string connectionId, long byteCount);

        [LoggerMessage(3107, LogLevel.Debug, "Connection {ConnectionId} protocol error before login: {Error}", EventName = nameof(EventIds.ClientProtocolError))]
        public static partial void ClientProtocolError(ILogger logger, string connectionId, string error);

        [LoggerMessage(3111, LogLevel.Information, "Connection {ConnectionId} offered credentials with {Mechanism} that were refused before the directory: {Reason}", EventName = nameof(EventIds.PreAuthCredentialsRefused))]
        public static partial void CredentialsRefused(ILogger logger, string connectionId, string mechanism, string reason);

        [LoggerMessage(3140, LogLevel.Debug, "Connection {ConnectionId} from trusted network address {Client} offered credentials with {Mechanism} without TLS; accepted.", EventName = nameof(EventIds.ClearTextLoginFromTrustedNetwork))]
        public static partial void ClearTextFromTrustedNetwork(ILogger logger, string connectionId, string mechanism, string? client);

        [LoggerMessage(3141, LogLevel.Information, "Connection {ConnectionId} spent {Limit} before login without logging in and is closed.", EventName = nameof(EventIds.PreAuthDurationExceeded))]
        public static partial void PreAuthDurationExceeded(ILogger logger, string connectionId, TimeSpan limit);

        [LoggerMessage(3142, LogLevel.Warning, "Connection {ConnectionId} sent {Count} refused commands before login and is closed.", EventName = nameof(EventIds.TooManyBadCommands))]
        public static partial void TooManyBadCommands(ILogger logger, string connectionId, int count);

        [LoggerMessage(3205, LogLevel.Information, "Connection {ConnectionId} offered credentials with {Mechanism} before TLS; refused (privacy required).", EventName = nameof(EventIds.LoginFailedPrivacyRequired))]
        public static partial void PrivacyRequired(ILogger logger, string connectionId, string mechanism);
    }
}
