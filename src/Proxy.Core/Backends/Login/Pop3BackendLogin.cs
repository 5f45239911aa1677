using System.Text;
using Proxy.Core.Backends.Connect;
using Proxy.Core.Configuration;
using Proxy.Protocols.Sasl;

namespace Proxy.Core.Backends.Login;

/// <summary>
/// Logs in to a POP3 backend: greeting, STLS when the method asks for it, CAPA,
/// then AUTH PLAIN when offered, else USER/PASS (RFC 1939, 2449, 2595, 5034).
/// </summary>
internal sealed class Pop3BackendLogin : IBackendLogin
{
    // A probe sends no credentials, so there is nothing to mask in what it logs.
    private static readonly BackendCredentials NoCredentials = new("", "");

    public MailProtocol Protocol => MailProtocol.Pop3;

    public Task<string> LoginAsync(BackendConnection connection, BackendCredentials credentials, CancellationToken cancellationToken) =>
        new Dialogue(connection, credentials, cancellationToken).RunAsync();

    public Task ProbeAsync(BackendConnection connection, CancellationToken cancellationToken) =>
        new Dialogue(connection, NoCredentials, cancellationToken).ProbeAsync();

    // The state of one login: what the backend's CAPA said.
    private sealed class Dialogue(BackendConnection connection, BackendCredentials credentials, CancellationToken cancellationToken)
    {
        private string[]? _capabilities;

        public async Task<string> RunAsync()
        {
            await GreetAsync().ConfigureAwait(false);

            connection.State = BackendLoginState.Capability;
            _capabilities ??= await CapaAsync().ConfigureAwait(false);

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
