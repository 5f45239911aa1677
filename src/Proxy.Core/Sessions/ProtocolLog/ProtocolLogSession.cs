using System.Globalization;
using Proxy.Core.Backends;
using Proxy.Core.Backends.Login;
using Proxy.Core.Discovery;
using Proxy.Core.Listening;
using Proxy.Core.Relay;

namespace Proxy.Core.Sessions.ProtocolLog;

/// <summary>
/// One session's rows in the protocol log. Exists only while the log is on: every call site reaches
/// it through a null check, so a session with the log off allocates nothing. A session's steps run
/// one after another (the dialogue, then the orchestrator), so the pending command needs no lock.
/// </summary>
/// <remarks>
/// A client command becomes one row when its response is flushed: the command name, its
/// redacted parameters, the bytes each way, and the response status in <c>context</c>
/// (<c>R=OK</c>, <c>R=NO [AUTHENTICATIONFAILED]</c>, <c>R=-ERR [AUTH]</c>). A login's row is
/// written when the client hears the answer, after the backend rows, with the outcome.
/// </remarks>
internal sealed class ProtocolLogSession
{
    private readonly ProtocolLogSink _sink;
    private readonly TimeProvider _timeProvider;
    private readonly string _sessionId;
    private readonly string? _serverIp;
    private readonly string? _clientIp;
    private readonly long _opened;
    private int _seq;
    private string? _user;
    private long _relayStarted;

    private bool _pending;
    private string _command = "";
    private string? _parameters;
    private string? _status;
    private string? _note;
    private long _requestBytes;
    private long _responseBytes;
    private long _commandStarted;

    public ProtocolLogSession(ProtocolLogSink sink, TimeProvider timeProvider, ClientConnection client)
    {
        _sink = sink;
        _timeProvider = timeProvider;
        _sessionId = client.Id;
        _serverIp = client.LocalEndPoint?.ToString();
        _clientIp = client.RemoteEndPoint?.ToString();
        _opened = timeProvider.GetTimestamp();
        Write("OpenSession", 0, 0, 0, null, $"listener={_serverIp};tls={(client.IsImplicitTls ? "implicit" : "none")}");
    }

    /// <summary>Bytes of the current command the dialogue has consumed (command line, literals).</summary>
    public void Received(long bytes)
    {
        if (bytes <= 0)
        {
            return;
        }

        Begin();
        _requestBytes += bytes;
    }

    /// <summary>The parsed command; <paramref name="parameters"/> come from <see cref="ProtocolLogRedaction"/>.</summary>
    public void Command(string name, string? parameters)
    {
        Begin();
        _command = ProtocolLogRedaction.CommandName(name);
        _parameters = parameters;
    }

    /// <summary>A SASL response line of the current command: counted, and written as <c>****</c> whatever it holds.</summary>
    public void SaslResponse(int bytes)
    {
        Begin();
        _requestBytes += bytes;
        _parameters = _parameters is null ? ProtocolLogRedaction.Redacted : _parameters + " " + ProtocolLogRedaction.Redacted;
    }

    /// <summary>The status of the response to the current command: <c>OK</c>, <c>NO [CODE]</c>, <c>-ERR [CODE]</c> …</summary>
    public void Responded(string status) => _status = status;

    /// <summary>Something the response alone does not say (e.g. <c>tls=established</c>).</summary>
    public void Note(string note) => _note = _note is null ? note : _note + ";" + note;

    /// <summary>Bytes about to be flushed to the client; counted for the pending command only (not the greeting).</summary>
    public void Sent(long bytes)
    {
        if (_pending)
        {
            _responseBytes += bytes;
        }
    }

    /// <summary>The name the client logged in with, once its credentials were parsed (never a SASL blob).</summary>
    public void LoggingIn(string user) => _user = user;

    /// <summary>Writes the pending command's row.</summary>
    /// <param name="outcome">The login outcome, for a login command.</param>
    /// <param name="defaultStatus">The status when none was reported (POP3 reports only its errors).</param>
    public void EndCommand(string? outcome = null, string? defaultStatus = null)
    {
        if (!_pending)
        {
            return;
        }

        _status ??= defaultStatus;
        var context = _status is null ? null : "R=" + _status;
        context = Join(context, _note);
        context = Join(context, outcome is null ? null : "outcome=" + outcome);
        Write(_command, Elapsed(_commandStarted), _requestBytes, _responseBytes, _parameters, context);
        if (outcome == "success")
        {
            _relayStarted = _timeProvider.GetTimestamp();
        }

        _pending = false;
        _command = "";
        _parameters = _status = _note = null;
        _requestBytes = _responseBytes = 0;
    }

    /// <summary>Step 5's result: the endpoint logged in to (Exchange's <c>Proxy:host:port:method</c>) and the backend's answer, or why none.</summary>
    /// <param name="credentials">Only to mask the password should a backend echo it (<see cref="BackendText.ForLog"/>).</param>
    public void Backend(IReadOnlyList<ConnectionAttempt> attempts, BackendConnectResult connected, BackendCredentials credentials)
    {
        if (connected.Session is { } session)
        {
            var index = 0;
            while (index < attempts.Count && !(attempts[index].Server == session.Server && attempts[index].Endpoint == session.Endpoint))
            {
                index++;
            }

            Write("Proxy", Elapsed(_commandStarted), 0, 0, BackendText.ForLog(WithoutCapabilities(session.LoginResponse), credentials),
                string.Create(CultureInfo.InvariantCulture, $"Proxy:{session.Endpoint};server={session.Server.Name};site={session.Server.Site};attempt={index + 1}/{attempts.Count};fallbacks={index}"));
            return;
        }

        Write("Proxy", Elapsed(_commandStarted), 0, 0, null,
            string.Create(CultureInfo.InvariantCulture, $"failure={BackendOutcomes.Name(connected.Failure)};planned={attempts.Count}"));
    }

    /// <summary>The relay's summary: bytes each way, how long, who ended it and why.</summary>
    public void Relayed(string server, RelayResult result, SessionCloseReason? closeReason)
    {
        var (closedBy, end) = result.End switch
        {
            RelayEnd.ClientClosed => ("client", "client_closed"),
            RelayEnd.Faulted => ("client", "client_faulted"),
            RelayEnd.BackendClosed => ("backend", "backend_closed"),
            RelayEnd.BackendFaulted => ("backend", "backend_faulted"),
            RelayEnd.IdleTimeout => ("proxy", "idle_timeout"),
            _ => ("proxy", "cancelled"),
        };
        var context = $"closedBy={closedBy};end={end}";
        if (closeReason is { } reason)
        {
            context += ";reason=" + reason.MetricName();
        }

        Write("Relay", _relayStarted == 0 ? 0 : Elapsed(_relayStarted), result.ClientToBackendBytes, result.BackendToClientBytes, server, context);
    }

    /// <summary>The last row; a command still pending (the client left mid-login) is written first.</summary>
    public void Closed(SessionCloseReason? closeReason)
    {
        if (_pending)
        {
            Note("unanswered");
            EndCommand();
        }

        Write("CloseSession", Elapsed(_opened), 0, 0, null, closeReason is { } reason ? "reason=" + reason.MetricName() : null);
    }

    private void Begin()
    {
        if (!_pending)
        {
            _pending = true;
            _commandStarted = _timeProvider.GetTimestamp();
        }
    }

    private long Elapsed(long since) => (long)_timeProvider.GetElapsedTime(since).TotalMilliseconds;

    private void Write(string command, long duration, long requestSize, long responseSize, string? parameters, string? context) =>
        _sink.TryWrite(new ProtocolLogRow(
            _timeProvider.GetUtcNow(), _sessionId, ++_seq, _serverIp, _clientIp, _user, duration, requestSize, responseSize, command, parameters, context));

    /// <summary>The answer without the capability list an IMAP backend puts in its OK: long, and the same on every row.</summary>
    private static string WithoutCapabilities(string answer)
    {
        var space = answer.IndexOf(' ', StringComparison.Ordinal);
        var close = answer.IndexOf(']', StringComparison.Ordinal);
        return space > 0 && close > space && ResponseText.CodeName(answer[(space + 1)..]) == "CAPABILITY"
            ? answer[..space] + " [CAPABILITY]" + answer[(close + 1)..]
            : answer;
    }

    private static string? Join(string? left, string? right) => left is null ? right : right is null ? left : left + ";" + right;
}
