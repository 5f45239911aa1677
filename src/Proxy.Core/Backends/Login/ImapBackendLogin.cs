using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Proxy.Core.Backends.Connect;
using Proxy.Core.Configuration;
using Proxy.Protocols.Sasl;

namespace Proxy.Core.Backends.Login;

/// <summary>
/// Logs in to an IMAP backend: greeting, STARTTLS when the method asks for it,
/// capabilities, the client's address in an ID command when the server is configured for it
/// (RFC 2971, Dovecot's x-originating-ip), then AUTHENTICATE PLAIN when offered, else LOGIN
/// (RFC 9051, 4959, 7888).
/// </summary>
internal sealed class ImapBackendLogin(ILogger<ImapBackendLogin>? logger = null) : IBackendLogin
{
    // A probe sends no credentials, so there is nothing to mask in what it logs.
    private static readonly BackendCredentials NoCredentials = new("", "");
    private readonly ILogger _logger = logger ?? NullLogger<ImapBackendLogin>.Instance;

    public MailProtocol Protocol => MailProtocol.Imap;

    public Task<string> LoginAsync(BackendConnection connection, BackendCredentials credentials, CancellationToken cancellationToken) =>
        new Dialogue(connection, credentials, _logger, cancellationToken).RunAsync();

    public Task ProbeAsync(BackendConnection connection, CancellationToken cancellationToken) =>
        new Dialogue(connection, NoCredentials, _logger, cancellationToken).ProbeAsync();

    // The state of one login: its tags and what the backend said it can do.
    private sealed class Dialogue(BackendConnection connection, BackendCredentials credentials, ILogger logger, CancellationToken cancellationToken)
    {
        private static readonly HashSet<string> TemporaryCodes = new(StringComparer.Ordinal) { "UNAVAILABLE", "INUSE", "SERVERBUG", "LIMIT" };

        private int _tagNumber;
        private string[]? _capabilities;

        public async Task<string> RunAsync()
        {
            await GreetAsync().ConfigureAwait(false);

            connection.State = BackendLoginState.Capability;
            _capabilities ??= await CapabilityAsync().ConfigureAwait(false);

            if (connection.Attempt.Server.ForwardClientAddress && credentials.Client is { } client)
            {
                connection.State = BackendLoginState.ForwardClient;
                await ForwardClientAsync(client).ConfigureAwait(false);
            }

            connection.State = BackendLoginState.Login;
            var reply = await LoginAsync().ConfigureAwait(false);
            return await LoginResponseAsync(reply).ConfigureAwait(false);
        }

        public async Task ProbeAsync()
        {
            await GreetAsync().ConfigureAwait(false);

            // Asked even when the greeting listed them: a command answered proves more than a banner.
            connection.State = BackendLoginState.Capability;
            await CapabilityAsync().ConfigureAwait(false);

            connection.State = BackendLoginState.Logout;
            await SendAsync(new ImapCommandBuilder(literalPlus: false).Append(NextTag()).Append(" LOGOUT")).ConfigureAwait(false);
        }

        /// <summary>The greeting, then STARTTLS when the method asks for it: what a login and a probe share.</summary>
        private async Task GreetAsync()
        {
            connection.State = BackendLoginState.Banner;
            await ReadGreetingAsync().ConfigureAwait(false);

            if (connection.Attempt.Endpoint.Method == BackendMethod.StartTls)
            {
                connection.State = BackendLoginState.StartTls;
                await StartTlsAsync().ConfigureAwait(false);
            }
        }

        private async Task ReadGreetingAsync()
        {
            var greeting = await connection.ReadLineAsync(cancellationToken).ConfigureAwait(false)
                ?? throw new BackendFailureException(BackendFailureKind.BadGreeting, "backend closed the connection before greeting");

            // PREAUTH would put us in a session without the user's credentials; BYE is a refusal.
            if (!(greeting.Equals("* OK", StringComparison.OrdinalIgnoreCase)
                || greeting.StartsWith("* OK ", StringComparison.OrdinalIgnoreCase)))
            {
                throw new BackendFailureException(BackendFailureKind.BadGreeting, $"unexpected greeting: {ForLog(greeting)}");
            }

            if (greeting.Length > 5 && ResponseText.TryGetImapCapabilityCode(greeting[5..], out var capabilities))
            {
                _capabilities = capabilities;
            }
        }

        private async Task StartTlsAsync()
        {
            _capabilities ??= await CapabilityAsync().ConfigureAwait(false);
            if (!Has("STARTTLS"))
            {
                throw new BackendFailureException(BackendFailureKind.NoStartTls, "backend does not offer STARTTLS");
            }

            var reply = await SendAsync(new ImapCommandBuilder(literalPlus: false).Append(NextTag()).Append(" STARTTLS")).ConfigureAwait(false);
            if (!reply.IsOk)
            {
                throw new BackendFailureException(BackendFailureKind.NoStartTls, $"backend refused STARTTLS: {ForLog(reply.WithoutTag)}");
            }

            await connection.UpgradeToTlsAsync(cancellationToken).ConfigureAwait(false);

            // Capabilities learnt in clear could have been forged (RFC 9051 §6.2.1).
            _capabilities = null;
        }

        /// <summary>
        /// ID before the login carries the client's address; a backend that trusts the proxy
        /// logs it and applies its own brute-force protection to it. A refusal is logged, and the
        /// login goes on: the session works, the backend just sees the proxy's address.
        /// </summary>
        private async Task ForwardClientAsync(ForwardedClient client)
        {
            var server = connection.Attempt.Server.Name;
            if (!Has("ID"))
            {
                ClientAddressForwarding.NotForwarded(logger, server, "it does not offer ID", client.Remote.ToString());
                return;
            }

            var command = new ImapCommandBuilder(Has("LITERAL+")).Append(NextTag()).Append(" ID (");
            var first = true;
            foreach (var (name, value) in ClientAddressForwarding.IdFields(client))
            {
                command.Append(first ? "" : " ").AppendNString(name).Append(" ").AppendNString(value);
                first = false;
            }

            var reply = await SendAsync(command.Append(")")).ConfigureAwait(false);
            if (reply.IsOk)
            {
                ClientAddressForwarding.Forwarded(logger, server, client.Remote.ToString(), "ID");
            }
            else
            {
                ClientAddressForwarding.NotForwarded(logger, server, $"it answered ID with {ForLog(reply.WithoutTag)}", client.Remote.ToString());
            }
        }

        private async Task<ImapReply> LoginAsync()
        {
            if (Has("LOGINDISABLED"))
            {
                // Without TLS the method should have been StartTls; with TLS the backend will never accept a login.
                throw new BackendFailureException(
                    connection.IsTls ? BackendFailureKind.Protocol : BackendFailureKind.NoStartTls,
                    "backend advertises LOGINDISABLED; credentials not sent");
            }

            if (BackendText.ContainsNul(credentials))
            {
                throw new BackendFailureException(BackendFailureKind.AuthRejected, "credentials contain NUL, which IMAP cannot carry; not sent");
            }

            var command = new ImapCommandBuilder(Has("LITERAL+")).Append(NextTag());
            if (Has("AUTH=PLAIN"))
            {
                // Without SASL-IR (RFC 4959) the response waits for the backend's empty challenge.
                var initialResponse = SaslPlain.EncodeInitialResponse(credentials.UserName, credentials.Password);
                if (Has("SASL-IR"))
                {
                    command.Append(" AUTHENTICATE PLAIN ").Append(initialResponse);
                }
                else
                {
                    command.Append(" AUTHENTICATE PLAIN").AppendAfterContinuation(initialResponse);
                }
            }
            else
            {
                command.Append(" LOGIN ").AppendAstring(credentials.UserName).Append(" ").AppendAstring(credentials.Password);
            }

            // Capabilities seen during the login are the post-login ones.
            _capabilities = null;
            var reply = await SendAsync(command).ConfigureAwait(false);
            if (reply.IsOk)
            {
                return reply;
            }

            var kind = reply.Status switch
            {
                "NO" when reply.Code is { } code && TemporaryCodes.Contains(code) => BackendFailureKind.AuthTempFail,
                "NO" => BackendFailureKind.AuthRejected,
                _ => BackendFailureKind.Protocol,
            };
            throw new BackendFailureException(kind, $"backend answered {ForLog(reply.WithoutTag)}");
        }

        private async Task<string> LoginResponseAsync(ImapReply reply)
        {
            if (ResponseText.TryGetImapCapabilityCode(reply.Text, out _))
            {
                return reply.WithoutTag;
            }

            // The client must learn the post-login capabilities from the OK it is given.
            var capabilities = _capabilities ?? await CapabilityAsync().ConfigureAwait(false);
            var text = reply.Text.Length == 0 ? "Logged in" : reply.Text;
            return $"OK [CAPABILITY {string.Join(' ', capabilities)}] {text}";
        }

        private async Task<string[]> CapabilityAsync()
        {
            _capabilities = null;
            var reply = await SendAsync(new ImapCommandBuilder(literalPlus: false).Append(NextTag()).Append(" CAPABILITY")).ConfigureAwait(false);
            if (!reply.IsOk)
            {
                throw new BackendFailureException(BackendFailureKind.Protocol, $"CAPABILITY failed: {ForLog(reply.WithoutTag)}");
            }

            return _capabilities ?? [];
        }

        /// <summary>Sends the command chunk by chunk, waiting for a continuation between chunks; returns the tagged reply.</summary>
        private async Task<ImapReply> SendAsync(ImapCommandBuilder command)
        {
            var tag = CurrentTag();
            var chunks = command.Build();
            for (var i = 0; i < chunks.Count; i++)
            {
                await connection.WriteAsync(chunks[i], cancellationToken).ConfigureAwait(false);
                var last = i == chunks.Count - 1;
                var reply = await ReadReplyAsync(tag, continuationAllowed: !last).ConfigureAwait(false);
                if (last || !reply.IsContinuation)
                {
                    return reply;
                }
            }

            throw new InvalidOperationException("A command has at least one chunk.");
        }

        private async Task<ImapReply> ReadReplyAsync(string tag, bool continuationAllowed)
        {
            while (true)
            {
                var line = await connection.ReadLineAsync(cancellationToken).ConfigureAwait(false)
                    ?? throw new BackendFailureException(BackendFailureKind.Protocol, "backend closed the connection");

                if (line.StartsWith("* ", StringComparison.Ordinal))
                {
                    if (line.StartsWith("* CAPABILITY ", StringComparison.OrdinalIgnoreCase))
                    {
                        _capabilities = ResponseText.SplitWords(line["* CAPABILITY ".Length..]);
                    }

                    continue;
                }

                if (line.StartsWith('+'))
                {
                    return continuationAllowed
                        ? ImapReply.Continuation
                        : throw new BackendFailureException(BackendFailureKind.Protocol, "unexpected continuation request");
                }

                if (line.Length > tag.Length && line.StartsWith(tag, StringComparison.Ordinal) && line[tag.Length] == ' ')
                {
                    return ParseTagged(line[(tag.Length + 1)..]);
                }

                throw new BackendFailureException(BackendFailureKind.Protocol, $"unexpected line: {ForLog(line)}");
            }
        }

        private ImapReply ParseTagged(string withoutTag)
        {
            var space = withoutTag.IndexOf(' ', StringComparison.Ordinal);
            var status = (space < 0 ? withoutTag : withoutTag[..space]).ToUpperInvariant();
            if (status is not ("OK" or "NO" or "BAD"))
            {
                throw new BackendFailureException(BackendFailureKind.Protocol, $"unexpected tagged response: {ForLog(withoutTag)}");
            }

            return new ImapReply(false, status, space < 0 ? "" : withoutTag[(space + 1)..], withoutTag);
        }

        private bool Has(string capability) =>
            _capabilities?.Contains(capability, StringComparer.OrdinalIgnoreCase) == true;

        // "P" tags: the proxy's own, never confused with a client's since the client has not spoken to this backend.
        private string NextTag() => $"P{++_tagNumber}";

        private string CurrentTag() => $"P{_tagNumber}";

        private string ForLog(string line) => BackendText.ForLog(line, credentials);
    }
}
