using Microsoft.Extensions.Logging;
using Proxy.Core.Configuration;
using Proxy.Core.Listening;
using Proxy.Core.Sessions;
using Proxy.Core.Sessions.ProtocolLog;
using Proxy.Protocols.Common;
using Proxy.Protocols.Imap;
using Proxy.Protocols.Sasl;

namespace Proxy.Core.PreAuth.Imap;

/// <summary>
/// The IMAP4 not-authenticated state (RFC 9051 §6.1-6.2): greeting, CAPABILITY,
/// NOOP, LOGOUT, ID, STARTTLS, LOGIN and AUTHENTICATE PLAIN/LOGIN. Anything else
/// is refused; credentials go to the orchestrator under the client's tag.
/// </summary>
internal sealed class ImapDialogue : FrontEndDialogue
{
    private const string AuthenticationFailed = "Authentication failed.";
    private const string PrivacyRequiredText = "Plaintext authentication is not allowed without TLS; use STARTTLS first.";

    private readonly string _serverName;
    private readonly ImapCommandParser _parser;
    private bool _greeted;
    private string? _pendingTag;

    public ImapDialogue(ClientConnection connection, string serverName, ImapOptions options, TimeProvider timeProvider, ILogger logger)
        : base(connection, options, timeProvider, logger)
    {
        _serverName = serverName;
        _parser = new ImapCommandParser(options.MaxCommandSize, options.MaxLiteralSize);
    }

    /// <summary>
    /// The fields of the client's last ID command (RFC 2971), in its order, values
    /// null for NIL; null when it sent none or <c>ID NIL</c>. Kept to forward to the backend.
    /// </summary>
    public IReadOnlyList<KeyValuePair<string, string?>>? ClientId { get; private set; }

    private string Capabilities
    {
        get
        {
            var capabilities = "IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+";
            if (Connection.CanStartTls)
            {
                capabilities += " STARTTLS";
            }

            return capabilities + (LoginAllowed ? " AUTH=PLAIN AUTH=LOGIN" : " LOGINDISABLED");
        }
    }

    protected override async ValueTask<LoginRequest?> RunAsync(CancellationToken cancellationToken)
    {
        if (!_greeted)
        {
            _greeted = true;
            ImapResponseWriter.WriteUntagged(Connection.Output, ImapResponseStatus.Ok, "CAPABILITY " + Capabilities, $"{_serverName} IMAP4 proxy ready.");
            await FlushAsync(cancellationToken).ConfigureAwait(false);
        }

        while (true)
        {
            var result = await ReadAsync(cancellationToken).ConfigureAwait(false);
            var status = _parser.TryParse(result.Buffer, out var consumed, out var examined, out var command);
            ProtocolLog?.Received(result.Buffer.Slice(result.Buffer.Start, consumed).Length);
            Connection.Input.AdvanceTo(consumed, examined);

            var step = await HandleAsync(status, command, result.IsCompleted, cancellationToken).ConfigureAwait(false);
            await FlushAsync(cancellationToken).ConfigureAwait(false);

            // A literal's go-ahead is not the command's answer; a login's row waits for the backend's verdict.
            if (status != ImapParseStatus.LiteralAnnounced && status != ImapParseStatus.Incomplete && step.Login is null)
            {
                ProtocolLog?.EndCommand();
            }

            if (step.Ends)
            {
                return null;
            }

            if (step.Login is not null)
            {
                return step.Login;
            }
        }
    }

    protected override void WriteRejection(LoginFailure failure, bool closing)
    {
        var tag = TakePendingTag();
        var (code, text) = failure switch
        {
            LoginFailure.InvalidCredentials or LoginFailure.PrivilegedAccountDenied => ("AUTHENTICATIONFAILED", AuthenticationFailed),
            LoginFailure.CrossSiteDenied => ("CONTACTADMIN", "Your mailbox is in another site and cannot be reached through this server. Contact your administrator."),
            LoginFailure.BackendUnavailable or LoginFailure.DirectoryUnavailable => ("UNAVAILABLE", "The service is temporarily unavailable. Try again later."),
            LoginFailure.MailboxNotFound => ("CONTACTADMIN", "Your mailbox could not be located. Contact your administrator."),
            LoginFailure.PrivacyRequired => ("PRIVACYREQUIRED", PrivacyRequiredText),
            // RFC 5530 LIMIT: an implementation limit such as the number of connections per user.
            LoginFailure.UserConnectionLimit => ("LIMIT", "Too many simultaneous connections for this account; close one and try again."),
            // Not AUTHENTICATIONFAILED: the password was not checked, and clients would discard a right one and prompt.
            LoginFailure.LockedOut => ("UNAVAILABLE", "Too many failed logins; try again later."),
            _ => throw new ArgumentOutOfRangeException(nameof(failure)),
        };
        WriteTagged(tag, ImapResponseStatus.No, code, text);
        if (closing)
        {
            ImapResponseWriter.WriteUntagged(Connection.Output, ImapResponseStatus.Bye, null, "Closing connection.");
        }
    }

    protected override void WriteAcceptance(string loginResponse) =>
        LineWriter.WriteLine(Connection.Output, $"{TakePendingTag()} {loginResponse}");

    protected override void WriteGoodbye(string reason) =>
        ImapResponseWriter.WriteUntagged(Connection.Output, ImapResponseStatus.Bye, null, reason);

    protected override void WriteConnectionRefusal(ConnectionRefusal refusal) =>
        ImapResponseWriter.WriteUntagged(Connection.Output, ImapResponseStatus.Bye, "UNAVAILABLE", ConnectionRefusalText(refusal));

    private string TakePendingTag()
    {
        var tag = _pendingTag ?? throw new InvalidOperationException("No login is pending on this dialogue.");
        _pendingTag = null;
        return tag;
    }

    private async ValueTask<DialogueStep> HandleAsync(ImapParseStatus status, ImapCommand? command, bool completed, CancellationToken cancellationToken)
    {
        switch (status)
        {
            case ImapParseStatus.Incomplete:
                if (completed)
                {
                    throw new EndOfStreamException();
                }

                return DialogueStep.Continue;
            case ImapParseStatus.LiteralAnnounced:
                if (_parser.LiteralIsSynchronizing)
                {
                    ImapResponseWriter.WriteContinuation(Connection.Output, "Ready for literal data");
                }

                return DialogueStep.Continue;
            case ImapParseStatus.LiteralTooLarge:
                LogProtocolError($"literal of {_parser.LiteralSize} bytes refused");
                if (_parser.LiteralIsSynchronizing)
                {
                    // The client waits for our go-ahead, so the command can be refused and the session goes on.
                    return Refuse(_parser.Tag!, ImapResponseStatus.No, "TOOBIG", "Literal too large.");
                }

                // LITERAL+: the bytes are on their way and cannot be told apart from commands. Hang up.
                ImapResponseWriter.WriteUntagged(Connection.Output, ImapResponseStatus.Bye, "TOOBIG", "Literal too large.");
                return DialogueStep.End;
            case ImapParseStatus.LineTooLong:
                LogProtocolError("command line too long");
                ImapResponseWriter.WriteUntagged(Connection.Output, ImapResponseStatus.Bye, null, "Command line too long.");
                return DialogueStep.End;
            case ImapParseStatus.Malformed:
                LogProtocolError(_parser.Error!);
                var error = "Syntax error: " + _parser.Error;
                if (_parser.AbandonedLiteral)
                {
                    // As for an oversized LITERAL+: its bytes are on their way and would be read as commands.
                    ImapResponseWriter.WriteUntagged(Connection.Output, ImapResponseStatus.Bye, null, error);
                    return DialogueStep.End;
                }

                return Refuse(_parser.Tag, ImapResponseStatus.Bad, null, error);
        }

        return await ExecuteAsync(command!, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask<DialogueStep> ExecuteAsync(ImapCommand command, CancellationToken cancellationToken)
    {
        var tag = command.Tag;
        var arguments = command.Arguments;
        ProtocolLog?.Command(command.Name, ProtocolLogRedaction.Imap(command));
        switch (command.Name)
        {
            case "CAPABILITY" when arguments.Count == 0:
                ImapResponseWriter.WriteUntaggedData(Connection.Output, "CAPABILITY " + Capabilities);
                WriteTagged(tag, ImapResponseStatus.Ok, null, "CAPABILITY completed.");
                return DialogueStep.Continue;
            case "NOOP" when arguments.Count == 0:
                WriteTagged(tag, ImapResponseStatus.Ok, null, "NOOP completed.");
                return DialogueStep.Continue;
            case "LOGOUT" when arguments.Count == 0:
                ImapResponseWriter.WriteUntagged(Connection.Output, ImapResponseStatus.Bye, null, $"{_serverName} IMAP4 proxy logging out.");
                WriteTagged(tag, ImapResponseStatus.Ok, null, "LOGOUT completed.");
                return DialogueStep.End;
            case "ID" when arguments.Count == 1 && TryReadClientId(arguments[0], out var fields):
                ClientId = fields;
                ImapResponseWriter.WriteUntaggedData(Connection.Output, "ID (\"name\" \"Proxy\")");
                WriteTagged(tag, ImapResponseStatus.Ok, null, "ID completed.");
                return DialogueStep.Continue;
            case "STARTTLS" when arguments.Count == 0:
                return await HandleStartTlsAsync(tag, cancellationToken).ConfigureAwait(false);
            case "LOGIN" when arguments.Count == 2 && arguments[0].IsString && arguments[1].IsString:
                return Login(tag, arguments[0], arguments[1]);
            case "AUTHENTICATE" when arguments.Count is 1 or 2 && arguments.All(a => a.Kind == ImapArgumentKind.Atom):
                return await AuthenticateAsync(tag, arguments, cancellationToken).ConfigureAwait(false);
            case "CAPABILITY" or "NOOP" or "LOGOUT" or "ID" or "STARTTLS" or "LOGIN" or "AUTHENTICATE":
                return Refuse(tag, ImapResponseStatus.Bad, null, $"Invalid arguments for {command.Name}.");
            default:
                return Refuse(tag, ImapResponseStatus.Bad, null, "Unknown command, or command not valid before login.");
        }
    }

    private async ValueTask<DialogueStep> HandleStartTlsAsync(string tag, CancellationToken cancellationToken)
    {
        if (Connection.IsEncrypted)
        {
            return Refuse(tag, ImapResponseStatus.Bad, null, "TLS is already active.");
        }

        if (!Connection.CanStartTls)
        {
            return Refuse(tag, ImapResponseStatus.Bad, null, "STARTTLS is not available.");
        }

        var upgraded = await StartTlsAsync(() => WriteTagged(tag, ImapResponseStatus.Ok, null, "Begin TLS negotiation now."), cancellationToken).ConfigureAwait(false);
        return upgraded ? DialogueStep.Continue : DialogueStep.End;
    }

    private DialogueStep Login(string tag, ImapArgument user, ImapArgument password)
    {
        const string Mechanism = "LOGIN";
        if (!LoginAllowed)
        {
            LogPrivacyRequired(Mechanism);
            return Refuse(tag, ImapResponseStatus.No, "PRIVACYREQUIRED", PrivacyRequiredText);
        }

        if (!user.TryGetString(out var userName) || !password.TryGetString(out var secret) || !AreAcceptable(Mechanism, userName, secret))
        {
            return Refuse(tag, ImapResponseStatus.No, "AUTHENTICATIONFAILED", AuthenticationFailed);
        }

        _pendingTag = tag;
        return DialogueStep.LoggedIn(new LoginRequest(userName, secret, Mechanism) { ClientId = ClientId });
    }

    private async ValueTask<DialogueStep> AuthenticateAsync(string tag, IReadOnlyList<ImapArgument> arguments, CancellationToken cancellationToken)
    {
        arguments[0].TryGetString(out var mechanism);
        mechanism = mechanism.ToUpperInvariant();
        if (!LoginAllowed)
        {
            LogPrivacyRequired(mechanism);
            return Refuse(tag, ImapResponseStatus.No, "PRIVACYREQUIRED", PrivacyRequiredText);
        }

        if (mechanism is not (SaslPlain.Name or SaslLogin.Name))
        {
            // RFC 9051 §6.2.2: NO for an unsupported mechanism.
            return Refuse(tag, ImapResponseStatus.No, null, "Unsupported authentication mechanism.");
        }

        var initialResponse = arguments.Count == 2 ? arguments[1].Value.ToArray() : null;
        var (outcome, userName, password) = await RunSaslAsync(mechanism, initialResponse, cancellationToken).ConfigureAwait(false);
        switch (outcome)
        {
            case SaslOutcome.Success:
                _pendingTag = tag;
                return DialogueStep.LoggedIn(new LoginRequest(userName, password, mechanism == SaslPlain.Name ? "PLAIN" : "AUTH-LOGIN") { ClientId = ClientId });
            case SaslOutcome.Cancelled:
                // RFC 9051 §6.2.2: a cancelled exchange is rejected with a tagged BAD.
                return Refuse(tag, ImapResponseStatus.Bad, null, "Authentication cancelled.");
            case SaslOutcome.InvalidBase64:
                LogProtocolError("invalid base64 in AUTHENTICATE");
                return Refuse(tag, ImapResponseStatus.Bad, null, "Invalid base64 data.");
            case SaslOutcome.LineTooLong:
                LogProtocolError("AUTHENTICATE response line too long");
                ImapResponseWriter.WriteUntagged(Connection.Output, ImapResponseStatus.Bye, null, "Command line too long.");
                return DialogueStep.End;
            default:
                return Refuse(tag, ImapResponseStatus.No, "AUTHENTICATIONFAILED", AuthenticationFailed);
        }
    }

    /// <summary>RFC 2971: NIL, or a list of up to 30 field/value pairs, values a string or NIL.</summary>
    private static bool TryReadClientId(ImapArgument argument, out IReadOnlyList<KeyValuePair<string, string?>>? fields)
    {
        fields = null;
        if (argument.IsNil)
        {
            return true;
        }

        var items = argument.Items;
        if (argument.Kind != ImapArgumentKind.List || items.Count % 2 != 0 || items.Count > 60)
        {
            return false;
        }

        var result = new List<KeyValuePair<string, string?>>(items.Count / 2);
        for (var i = 0; i < items.Count; i += 2)
        {
            if (items[i].IsNil || !items[i].TryGetString(out var name) || name.Length > 30)
            {
                return false;
            }

            string? value = null;
            if (!items[i + 1].IsNil && (!items[i + 1].TryGetString(out value!) || value.Length > 1024))
            {
                return false;
            }

            result.Add(new(name, value));
        }

        fields = result;
        return true;
    }

    /// <summary>
    /// Answers a command the dialogue refuses itself (untagged when it had no tag). The last
    /// refusal <see cref="MailProtocolOptions.MaxBadCommands"/> allows also says BYE and ends the session.
    /// </summary>
    private DialogueStep Refuse(string? tag, ImapResponseStatus status, string? code, string text)
    {
        if (tag is null)
        {
            ImapResponseWriter.WriteUntagged(Connection.Output, status, code, text);
            ProtocolLog?.Responded(StatusText(status, code));
        }
        else
        {
            WriteTagged(tag, status, code, text);
        }

        if (!IsLastBadCommand())
        {
            return DialogueStep.Continue;
        }

        ImapResponseWriter.WriteUntagged(Connection.Output, ImapResponseStatus.Bye, null, "Too many invalid commands.");
        return DialogueStep.End;
    }

    private void WriteTagged(string tag, ImapResponseStatus status, string? code, string text)
    {
        ImapResponseWriter.WriteTagged(Connection.Output, tag, status, code, text);
        ProtocolLog?.Responded(StatusText(status, code));
    }

    /// <summary>The protocol log's view of a response: <c>OK</c>, <c>NO [AUTHENTICATIONFAILED]</c> …</summary>
    private static string StatusText(ImapResponseStatus status, string? code)
    {
        var name = status.ToString().ToUpperInvariant();
        return code is null ? name : $"{name} [{code}]";
    }
}
