using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Proxy.Core.Backends.Connect;
using Proxy.Core.Configuration;
using Proxy.Protocols.Sasl;

namespace Proxy.Core.Backends.Login;

/// <summary>
/// Logs in to a POP3 backend: greeting, STLS when the method asks for it, CAPA, the
/// client's address with Dovecot's XCLIENT when the server is configured for it and offers it,
/// then AUTH PLAIN when offered, else USER/PASS (RFC 1939, 2449, 2595, 5034).
/// </summary>
internal sealed class Pop3BackendLogin(ILogger<Pop3BackendLogin>? logger = null) : IBackendLogin
{
    // A probe sends no credentials, so there is nothing to mask in what it logs.
    private static readonly BackendCredentials NoCredentials = new("", "");
    private readonly ILogger _logger = logger ?? NullLogger<Pop3BackendLogin>.Instance;

    public MailProtocol Protocol => MailProtocol.Pop3;

    public Task<string> LoginAsync(BackendConnection connection, BackendCredentials credentials, CancellationToken cancellationToken) =>
        new Dialogue(connection, credentials, _logger, cancellationToken).RunAsync();

    public Task ProbeAsync(BackendConnection connection, CancellationToken cancellationToken) =>
        new Dialogue(connection, NoCredentials, _logger, cancellationToken).ProbeAsync();

    // The state of one login: what the backend's CAPA said.
    private sealed class Dialogue(BackendConnection connection, BackendCredentials credentials, ILogger logger, CancellationToken cancellationToken)
    {
        private string[]? _capabilities;
        private bool _greetingOffersXclient;

        public async Task<string> RunAsync()
        {
            await GreetAsync().ConfigureAwait(false);

            connection.State = BackendLoginState.Capability;
            _capabilities ??= await CapaAsync().ConfigureAwait(false);

            if (connection.Attempt.Server.ForwardClientAddress && credentials.Client is { } client)
            {
                connection.State = BackendLoginState.ForwardClient;
                await XclientAsync(client).ConfigureAwait(false);
            }

            connection.State = BackendLoginState.Login;
            return OffersSaslPlain() ? await AuthPlainAsync().ConfigureAwait(false) : await UserPassAsync().ConfigureAwait(false);
        }

        public async Task ProbeAsync()
        {
            await GreetAsync().ConfigureAwait(false);

            // Asked even after STLS: a command answered proves more than a banner.
            connection.State = BackendLoginState.Capability;
            await CapaAsync().ConfigureAwait(false);

            connection.State = BackendLoginState.Logout;
            await CommandAsync("QUIT").ConfigureAwait(false);
        }

        /// <summary>The greeting, then STLS when the method asks for it: what a login and a probe share.</summary>
        private async Task GreetAsync()
        {
            connection.State = BackendLoginState.Banner;
            var greeting = await connection.ReadLineAsync(cancellationToken).ConfigureAwait(false)
                ?? throw new BackendFailureException(BackendFailureKind.BadGreeting, "backend closed the connection before greeting");
            if (!IsOk(greeting))
            {
                throw new BackendFailureException(BackendFailureKind.BadGreeting, $"unexpected greeting: {ForLog(greeting)}");
            }

            // Dovecot greets a trusted client with [XCLIENT] and lists it nowhere else.
            _greetingOffersXclient = greeting.Length > 4 && ResponseText.CodeName(greeting[4..]) == "XCLIENT";

            if (connection.Attempt.Endpoint.Method == BackendMethod.StartTls)
            {
                connection.State = BackendLoginState.StartTls;
                await StlsAsync().ConfigureAwait(false);
            }
        }

        private async Task StlsAsync()
        {
            _capabilities ??= await CapaAsync().ConfigureAwait(false);
            if (!_capabilities.Contains("STLS", StringComparer.OrdinalIgnoreCase))
            {
                throw new BackendFailureException(BackendFailureKind.NoStartTls, "backend does not offer STLS");
            }

            var reply = await CommandAsync("STLS").ConfigureAwait(false);
            if (!IsOk(reply))
            {
                throw new BackendFailureException(BackendFailureKind.NoStartTls, $"backend refused STLS: {ForLog(reply)}");
            }

            await connection.UpgradeToTlsAsync(cancellationToken).ConfigureAwait(false);

            // Capabilities learnt in clear could have been forged.
            _capabilities = null;
        }

        /// <summary>The CAPA lines (RFC 2449); none when the backend does not know CAPA.</summary>
        private async Task<string[]> CapaAsync()
        {
            var reply = await CommandAsync("CAPA").ConfigureAwait(false);
            if (!IsOk(reply))
            {
                return [];
            }

            var capabilities = new List<string>();
            while (true)
            {
                var line = await ReadAsync().ConfigureAwait(false);
                if (line == ".")
                {
                    return [.. capabilities];
                }

                capabilities.Add(line.StartsWith('.') ? line[1..] : line);
            }
        }

        /// <summary>
        /// Dovecot offers XCLIENT (the <c>[XCLIENT]</c> greeting code; other servers may list it in
        /// CAPA) only to proxies in its login_trusted_networks, and then takes the client's address
        /// from it. A refusal is logged and the login goes on.
        /// </summary>
        private async Task XclientAsync(ForwardedClient client)
        {
            var server = connection.Attempt.Server.Name;
            var listed = _capabilities!.Any(line => ResponseText.SplitWords(line).FirstOrDefault()?.Equals("XCLIENT", StringComparison.OrdinalIgnoreCase) == true);
            if (!_greetingOffersXclient && !listed)
            {
                ClientAddressForwarding.NotForwarded(logger, server, "it does not offer XCLIENT (is the proxy in its trusted networks?)", client.Remote.ToString());
                return;
            }

            var reply = await CommandAsync(ClientAddressForwarding.XclientCommand(client)).ConfigureAwait(false);
            if (IsOk(reply))
            {
                ClientAddressForwarding.Forwarded(logger, server, client.Remote.ToString(), "XCLIENT");
            }
            else
            {
                ClientAddressForwarding.NotForwarded(logger, server, $"it answered XCLIENT with {ForLog(reply)}", client.Remote.ToString());
            }
        }

        private bool OffersSaslPlain() =>
            _capabilities!.Any(line =>
                line.StartsWith("SASL ", StringComparison.OrdinalIgnoreCase)
                && ResponseText.SplitWords(line[5..]).Contains("PLAIN", StringComparer.OrdinalIgnoreCase));

        private async Task<string> AuthPlainAsync()
        {
            if (BackendText.ContainsNul(credentials))
            {
                throw new BackendFailureException(BackendFailureKind.AuthRejected, "credentials contain NUL, which SASL PLAIN cannot carry; not sent");
            }

            return Accepted(await CommandAsync($"AUTH PLAIN {SaslPlain.EncodeInitialResponse(credentials.UserName, credentials.Password)}").ConfigureAwait(false));
        }

        private async Task<string> UserPassAsync()
        {
            if (BackendText.ContainsLineBreakOrNul(credentials.UserName) || BackendText.ContainsLineBreakOrNul(credentials.Password))
            {
                // USER and PASS end at the line end: such credentials would inject a command.
                throw new BackendFailureException(BackendFailureKind.AuthRejected, "credentials contain CR, LF or NUL and the backend offers no SASL PLAIN; not sent");
            }

            Accepted(await CommandAsync($"USER {credentials.UserName}").ConfigureAwait(false));
            return Accepted(await CommandAsync($"PASS {credentials.Password}").ConfigureAwait(false));
        }

        private string Accepted(string reply)
        {
            if (IsOk(reply))
            {
                return reply;
            }

            if (!reply.StartsWith("-ERR", StringComparison.OrdinalIgnoreCase))
            {
                // Includes "+ " continuations: the initial response was complete, so a challenge is a protocol error.
                throw new BackendFailureException(BackendFailureKind.Protocol, $"unexpected answer: {ForLog(reply)}");
            }

            var code = reply.Length > 5 ? ResponseText.CodeName(reply[5..]) : null;
            var temporary = code is not null
                && (code.StartsWith("SYS/TEMP", StringComparison.Ordinal) || code.StartsWith("IN-USE", StringComparison.Ordinal));
            throw new BackendFailureException(
                temporary ? BackendFailureKind.AuthTempFail : BackendFailureKind.AuthRejected,
                $"backend answered {ForLog(reply)}");
        }

        private async Task<string> CommandAsync(string line)
        {
            await connection.WriteAsync(Encoding.UTF8.GetBytes(line + "\r\n"), cancellationToken).ConfigureAwait(false);
            return await ReadAsync().ConfigureAwait(false);
        }

        private async Task<string> ReadAsync() =>
            await connection.ReadLineAsync(cancellationToken).ConfigureAwait(false)
                ?? throw new BackendFailureException(BackendFailureKind.Protocol, "backend closed the connection");

        private static bool IsOk(string line) =>
            line.Equals("+OK", StringComparison.OrdinalIgnoreCase) || line.StartsWith("+OK ", StringComparison.OrdinalIgnoreCase);

        private string ForLog(string line) => BackendText.ForLog(line, credentials);
    }
}
