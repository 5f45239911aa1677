using System.Security.Cryptography.X509Certificates;

namespace Proxy.Core.Tests.Backends.Fakes;

/// <summary>
/// A configurable POP3 backend dialogue: greeting, CAPA, STLS, AUTH PLAIN and USER/PASS.
/// The defaults are Dovecot's.
/// </summary>
internal sealed class FakePop3Script
{
    public string Greeting { get; init; } = "+OK Dovecot (Debian) ready.";

    /// <summary>CAPA lines; null answers CAPA with -ERR, as a pre-RFC 2449 server does.</summary>
    public string[]? Capabilities { get; init; } = ["CAPA", "TOP", "UIDL", "RESP-CODES", "PIPELINING", "AUTH-RESP-CODE", "STLS", "USER", "SASL PLAIN"];

    public X509Certificate2? StartTlsCertificate { get; init; }

    public string UserReply { get; init; } = "+OK";

    /// <summary>Answer to PASS or AUTH PLAIN.</summary>
    public string LoginReply { get; init; } = "+OK Logged in.";

    public string AfterLogin { get; init; } = "";

    /// <summary>The USER, PASS, AUTH and XCLIENT lines as received.</summary>
    public List<string> LoginCommands { get; } = [];

    public async Task RunAsync(FakeBackendClient client)
    {
        await client.SendAsync(Greeting + "\r\n");
        while (await client.ReadLineAsync() is { } line)
        {
            var verb = line.Split(' ')[0].ToUpperInvariant();
            switch (verb)
            {
                case "CAPA" when Capabilities is not null:
                    await client.SendAsync($"+OK\r\n{string.Concat(Capabilities.Select(c => c + "\r\n"))}.\r\n");
                    break;
                case "STLS" when StartTlsCertificate is not null:
                    await client.SendAsync("+OK Begin TLS negotiation\r\n");
                    await client.StartTlsAsync(StartTlsCertificate);
                    break;
                case "USER":
                    LoginCommands.Add(line);
                    await client.SendAsync(UserReply + "\r\n");
                    break;
                case "PASS" or "AUTH":
                    LoginCommands.Add(line);
                    await client.SendAsync($"{LoginReply}\r\n{AfterLogin}");
                    break;
                case "XCLIENT" when Capabilities?.Contains("XCLIENT") == true || Greeting.Contains("[XCLIENT]", StringComparison.Ordinal):
                    LoginCommands.Add(line);
                    await client.SendAsync("+OK Updated\r\n");
                    break;
                case "QUIT":
                    await client.SendAsync("+OK Logging out.\r\n");
                    return;
                default:
                    await client.SendAsync("-ERR Unknown command.\r\n");
                    break;
            }
        }
    }
}
