using System.Text;
using Microsoft.Extensions.Logging;
using Proxy.Core.Configuration;
using Proxy.Core.Listening;
using Proxy.Core.Sessions;
using Proxy.Core.Sessions.ProtocolLog;
using Proxy.Protocols.Common;
using Proxy.Protocols.Pop3;
using Proxy.Protocols.Sasl;

namespace Proxy.Core.PreAuth.Pop3;

/// <summary>
/// The POP3 AUTHORIZATION state (RFC 1939, 2449, 2595, 5034, 3206): greeting,
/// CAPA, STLS, USER/PASS, AUTH PLAIN/LOGIN and QUIT. Anything else is refused.
/// </summary>
internal sealed class Pop3Dialogue : FrontEndDialogue
{
    private const string AuthenticationFailed = "Authentication failed.";
    private const string PrivacyRequiredText = "Plaintext authentication disallowed on non-secure connections; use STLS.";

    private readonly string _serverName;
    private bool _greeted;
    private bool _loginPending;
    private string? _userName;

    public Pop3Dialogue(ClientConnection connection, string serverName, Pop3Options options, TimeProvider timeProvider, ILogger logger)
        : base(connection, options, timeProvider, logger)
    {
        _serverName = serverName;
    }

    protected override async ValueTask<LoginRequest?> RunAsync(CancellationToken cancellationToken)
    {
        if (!_greeted)
        {
            _greeted = true;
            Pop3ResponseWriter.WriteOk(Connection.Output, $"{_serverName} POP3 proxy ready.");
            await FlushAsync(cancellationToken).ConfigureAwait(false);
        }

        while (true)
        {
            var result = await ReadAsync(cancellationToken).ConfigureAwait(false);
            var status = Pop3CommandParser.TryParse(result.Buffer, MaxCommandSize, out var consumed, out var examined, out var command, out var error);
            ProtocolLog?.Received(result.Buffer.Slice(result.Buffer.Start, consumed).Length);
            Connection.Input.AdvanceTo(consumed, examined);

            DialogueStep step;
            switch (status)
            {
                case Pop3ParseStatus.Incomplete:
                    if (result.IsCompleted)
                    {
                        throw new EndOfStreamException();
                    }

                    continue;
                case Pop3ParseStatus.LineTooLong:
                    LogProtocolError("command line too long");
                    Pop3ResponseWriter.WriteErr(Connection.Output, null, "Command line too long.");
                    ProtocolLog?.Responded("-ERR");
                    step = DialogueStep.End;
                    break;
                case Pop3ParseStatus.Malformed:
                    LogProtocolError(error!);
                    step = Refuse(null, "Syntax error: " + error);
                    break;
                default:
                    step = await ExecuteAsync(command!, cancellationToken).ConfigureAwait(false);
                    break;
            }

            await FlushAsync(cancellationToken).ConfigureAwait(false);

            // Errors say so when written (Refuse); a login's row waits for the backend's verdict.
            if (step.Login is null)
            {
                ProtocolLog?.EndCommand(defaultStatus: "+OK");
            }

            if (step.Ends)
            {
                return null;
            }

            if (step.Login is not null)
            {
                _loginPending = true;
                return step.Login;
            }
        }
    }

    /// <summary>POP3 has no untagged goodbye: when closing, the caller just ends the connection after this line.</summary>
    protected override void WriteRejection(LoginFailure failure, bool closing)
    {
        TakePendingLogin();
        var (code, text) = failure switch
        {
            LoginFailure.InvalidCredentials or LoginFailure.PrivilegedAccountDenied => ("AUTH", AuthenticationFailed),
            LoginFailure.CrossSiteDenied => ("SYS/PERM", "Your mailbox is in another site and cannot be reached through this server. Contact your administrator."),
            LoginFailure.MailboxNotFound => ("SYS/PERM", "Your mailbox could not be located. Contact your administrator."),
            LoginFailure.BackendUnavailable or LoginFailure.DirectoryUnavailable => ("SYS/TEMP", "The service is temporarily unavailable. Try again later."),
            LoginFailure.PrivacyRequired => ("AUTH", PrivacyRequiredText),
            // RFC 2449 IN-USE: the maildrop is busy with other sessions of this user.
            LoginFailure.UserConnectionLimit => ("IN-USE", "Too many simultaneous connections for this account; close one and try again."),
            // Not AUTH: the password was not checked, and clients would discard a right one and prompt.
            LoginFailure.LockedOut => ("SYS/TEMP", "Too many failed logins; try again later."),
            _ => throw new ArgumentOutOfRangeException(nameof(failure)),
        };
        Pop3ResponseWriter.WriteErr(Connection.Output, code, text);
        ProtocolLog?.Responded($"-ERR [{code}]");
    }

    protected override void WriteAcceptance(string loginResponse)
    {
        TakePendingLogin();
        LineWriter.WriteLine(Connection.Output, loginResponse);
    }

    protected override void WriteGoodbye(string reason) => Pop3ResponseWriter.WriteErr(Connection.Output, null, reason);

    protected override void WriteConnectionRefusal(ConnectionRefusal refusal) =>
        Pop3ResponseWriter.WriteErr(Connection.Output, "SYS/TEMP", ConnectionRefusalText(refusal));

    private void TakePendingLogin()
    {
        if (!_loginPending)
        {
            throw new InvalidOperationException("No login is pending on this dialogue.");
        }

        _loginPending = false;
    }

    private async ValueTask<DialogueStep> ExecuteAsync(Pop3Command command, CancellationToken cancellationToken)
    {
        var arguments = command.Arguments;
        ProtocolLog?.Command(command.Keyword, ProtocolLogRedaction.Pop3(command));
        switch (command.Keyword)
        {
            case "CAPA" when arguments.Count == 0:
                Pop3ResponseWriter.WriteMultiLine(Connection.Output, "Capability list follows", Capabilities());
                return DialogueStep.Continue;
            case "QUIT" when arguments.Count == 0:
                Pop3ResponseWriter.WriteOk(Connection.Output, $"{_serverName} POP3 proxy signing off.");
                return DialogueStep.End;
            case "STLS" when arguments.Count == 0:
                return await HandleStlsAsync(cancellationToken).ConfigureAwait(false);
            case "USER" when arguments.Count == 1:
                return User(arguments[0]);
            case "PASS" when arguments.Count == 1:
                return Pass(arguments[0]);
            case "AUTH" when arguments.Count == 0:
                Pop3ResponseWriter.WriteMultiLine(Connection.Output, "Supported mechanisms follow", LoginAllowed ? [SaslPlain.Name, SaslLogin.Name] : []);
                return DialogueStep.Continue;
            case "AUTH" when arguments.Count <= 2:
                return await AuthenticateAsync(arguments, cancellationToken).ConfigureAwait(false);
            case "CAPA" or "QUIT" or "STLS" or "USER" or "PASS" or "AUTH":
                return Refuse(null, $"Invalid arguments for {command.Keyword}.");
            default:
                return Refuse(null, "Unknown command, or command not valid before login.");
        }
    }

    /// <summary>
    /// Answers a command the dialogue refuses itself. The last refusal
    /// <see cref="MailProtocolOptions.MaxBadCommands"/> allows is answered with why the
    /// session ends instead (POP3 has no untagged goodbye), as Dovecot does.
    /// </summary>
    private DialogueStep Refuse(string? code, string text)
    {
        if (IsLastBadCommand())
        {
            Pop3ResponseWriter.WriteErr(Connection.Output, null, "Too many invalid commands.");
            ProtocolLog?.Responded("-ERR");
            return DialogueStep.End;
        }

        Pop3ResponseWriter.WriteErr(Connection.Output, code, text);
        ProtocolLog?.Responded(code is null ? "-ERR" : $"-ERR [{code}]");
        return DialogueStep.Continue;
    }

    private IEnumerable<string> Capabilities()
    {
        yield return "TOP";
        yield return "UIDL";
        yield return "RESP-CODES";
        yield return "AUTH-RESP-CODE";
        yield return "PIPELINING";
        if (LoginAllowed)
        {
            yield return "USER";
            yield return "SASL PLAIN LOGIN";
        }

        if (Connection.CanStartTls)
        {
            yield return "STLS";
        }

        yield return "IMPLEMENTATION Proxy";
    }

    private async ValueTask<DialogueStep> HandleStlsAsync(CancellationToken cancellationToken)
    {
        if (Connection.IsEncrypted)
        {
            return Refuse(null, "Command not permitted when TLS active.");
        }

        if (!Connection.CanStartTls)
        {
            return Refuse(null, "STLS is not available.");
        }

        // A name given before TLS must not carry over into the secured session.
        _userName = null;
        var upgraded = await StartTlsAsync(() => Pop3ResponseWriter.WriteOk(Connection.Output, "Begin TLS negotiation now."), cancellationToken).ConfigureAwait(false);
        return upgraded ? DialogueStep.Continue : DialogueStep.End;
    }

    private DialogueStep User(string userName)
    {
        if (!LoginAllowed)
        {
            LogPrivacyRequired("USER");
            return Refuse("AUTH", PrivacyRequiredText);
        }

        _userName = userName;
        Pop3ResponseWriter.WriteOk(Connection.Output, "Send your password.");
        return DialogueStep.Continue;
    }

    private DialogueStep Pass(string password)
    {
        const string Mechanism = "USER";
        var userName = _userName;

        // RFC 1939: after PASS, successful or not, the client starts again with USER.
        _userName = null;
        if (userName is null)
        {
            return Refuse(null, "Send USER first.");
        }

        if (!LoginAllowed)
        {
            LogPrivacyRequired(Mechanism);
            return Refuse("AUTH", PrivacyRequiredText);
        }

        if (!AreAcceptable(Mechanism, userName, password))
        {
            return Refuse("AUTH", AuthenticationFailed);
        }

        return DialogueStep.LoggedIn(new LoginRequest(userName, password, Mechanism));
    }

    private async ValueTask<DialogueStep> AuthenticateAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var mechanism = arguments[0].ToUpperInvariant();
        if (!LoginAllowed)
        {
            LogPrivacyRequired(mechanism);
            return Refuse("AUTH", PrivacyRequiredText);
        }

        if (mechanism is not (SaslPlain.Name or SaslLogin.Name))
        {
            return Refuse(null, "Unsupported authentication mechanism.");
        }

        var initialResponse = arguments.Count == 2 ? Encoding.ASCII.GetBytes(arguments[1]) : null;
        var (outcome, userName, password) = await RunSaslAsync(mechanism, initialResponse, cancellationToken).ConfigureAwait(false);
        switch (outcome)
        {
            case SaslOutcome.Success:
                return DialogueStep.LoggedIn(new LoginRequest(userName, password, mechanism == SaslPlain.Name ? "PLAIN" : "AUTH-LOGIN"));
            case SaslOutcome.Cancelled:
                return Refuse(null, "Authentication cancelled.");
            case SaslOutcome.InvalidBase64:
                LogProtocolError("invalid base64 in AUTH");
                return Refuse(null, "Invalid base64 data.");
            case SaslOutcome.LineTooLong:
                LogProtocolError("AUTH response line too long");
                Pop3ResponseWriter.WriteErr(Connection.Output, null, "Command line too long.");
                return DialogueStep.End;
            default:
                return Refuse("AUTH", AuthenticationFailed);
        }
    }
}
