using System.Security.Cryptography.X509Certificates;

namespace Proxy.Core.Tests.Backends.Fakes;

/// <summary>
/// A configurable IMAP backend dialogue: greeting, CAPABILITY, STARTTLS, AUTHENTICATE
/// PLAIN (with or without initial response) and LOGIN, then whatever the test says.
/// The defaults are Dovecot's.
/// </summary>
internal sealed class FakeImapScript
{
    public const string DovecotCapabilities = "IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ STARTTLS AUTH=PLAIN";
    public const string DovecotPostLogin = "IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE SORT THREAD=REFERENCES MULTIAPPEND UNSELECT CHILDREN NAMESPACE UIDPLUS LIST-EXTENDED I18NLEVEL=1 CONDSTORE QRESYNC ESEARCH SEARCHRES WITHIN CONTEXT=SEARCH LIST-STATUS BINARY MOVE SNIPPET=FUZZY LITERAL+ NOTIFY SPECIAL-USE";

    public string Greeting { get; init; } = $"* OK [CAPABILITY {DovecotCapabilities}] Dovecot (Debian) ready.";

    /// <summary>Listed by CAPABILITY before TLS.</summary>
    public string Capabilities { get; init; } = DovecotCapabilities;

    /// <summary>Listed by CAPABILITY after STARTTLS; null means the same as before.</summary>
    public string? TlsCapabilities { get; init; }

    /// <summary>Listed by CAPABILITY after the login.</summary>
    public string PostLoginCapabilities { get; init; } = DovecotPostLogin;

    /// <summary>Certificate for STARTTLS; without one STARTTLS is refused.</summary>
    public X509Certificate2? StartTlsCertificate { get; init; }

    /// <summary>Answer to AUTHENTICATE or LOGIN, without the tag.</summary>
    public string LoginReply { get; init; } = $"OK [CAPABILITY {DovecotPostLogin}] Logged in";

    /// <summary>Untagged lines (with CRLF) sent just before the tagged login answer.</summary>
    public string BeforeLoginReply { get; init; } = "";

    /// <summary>Sent in the same write as the tagged login answer, to prove no byte is lost.</summary>
    public string AfterLogin { get; init; } = "";

    /// <summary>The initial responses or LOGIN arguments the proxy sent, as received.</summary>
    public List<string> LoginCommands { get; } = [];

    public async Task RunAsync(FakeBackendClient client)
    {
        await client.SendAsync(Greeting + "\r\n");
        var loggedIn = false;
        while (true)
        {
            var line = await client.ReadLineAsync();
            if (line is null)
            {
                return;
            }

            var space = line.IndexOf(' ', StringComparison.Ordinal);
            var (tag, command) = space < 0 ? (line, "") : (line[..space], line[(space + 1)..]);
            var verb = command.Split(' ')[0].ToUpperInvariant();
            switch (verb)
            {
                case "CAPABILITY":
                    var capabilities = loggedIn ? PostLoginCapabilities : client.IsTls ? TlsCapabilities ?? Capabilities : Capabilities;
                    await client.SendAsync($"* CAPABILITY {capabilities}\r\n{tag} OK Capability completed.\r\n");
                    break;
                case "STARTTLS" when StartTlsCertificate is not null:
                    await client.SendAsync($"{tag} OK Begin TLS negotiation now.\r\n");
                    await client.StartTlsAsync(StartTlsCertificate);
                    break;
                case "AUTHENTICATE" or "LOGIN":
                    var arguments = command[(verb.Length)..].Trim();
                    if (verb == "AUTHENTICATE" && arguments.Equals("PLAIN", StringComparison.OrdinalIgnoreCase))
                    {
                        await client.SendAsync("+ \r\n");
                        arguments += " " + await client.ReadLineAsync();
                    }

                    LoginCommands.Add($"{verb} {arguments}");
                    await client.SendAsync($"{BeforeLoginReply}{tag} {LoginReply}\r\n{AfterLogin}");
                    loggedIn = LoginReply.StartsWith("OK", StringComparison.Ordinal);
                    break;
                case "ID" when Capabilities.Split(' ').Contains("ID"):
                    await client.SendAsync($"* ID (\"name\" \"Dovecot\")\r\n{tag} OK ID completed.\r\n");
                    break;
                case "LOGOUT":
                    await client.SendAsync($"* BYE Logging out\r\n{tag} OK Logout completed.\r\n");
                    return;
                default:
                    await client.SendAsync($"{tag} BAD Error in IMAP command received by server.\r\n");
                    break;
            }
        }
    }
}
