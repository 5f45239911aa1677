using System.Text.RegularExpressions;
using Proxy.IntegrationTests.EndToEnd;
using Proxy.IntegrationTests.Harness;

namespace Proxy.IntegrationTests.FrontEndTls;

/// <summary>
/// One TLS handshake by <c>openssl s_client</c> (implicit, or after <c>-starttls imap|pop3</c>),
/// with stdin closed so it ends right after: what it printed tells the protocol, cipher and
/// the certificate the proxy chose.
/// </summary>
internal sealed partial record SClientHandshake(int ExitCode, string Output)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(15);

    /// <summary>The negotiated protocol (<c>TLSv1.2</c>), or null when no handshake completed.</summary>
    public string? Protocol => NewSession().Match(Output) is { Success: true } m && m.Groups["cipher"].Value != "(NONE)" ? m.Groups["protocol"].Value : null;

    public string? Cipher => NewSession().Match(Output) is { Success: true } m && m.Groups["cipher"].Value != "(NONE)" ? m.Groups["cipher"].Value : null;

    /// <summary>The subject of the certificate the proxy sent, in OpenSSL's one-line form (<c>CN = mail.contoso.test</c>).</summary>
    public string? Subject => SubjectLine().Match(Output) is { Success: true } m ? m.Groups["subject"].Value.Trim() : null;

    public static async Task<SClientHandshake> RunAsync(int port, MailProtocolKind protocol, bool implicitTls, params string[] options)
    {
        List<string> arguments = ["s_client", "-connect", $"127.0.0.1:{port}"];
        if (!implicitTls)
        {
            arguments.AddRange(["-starttls", protocol == MailProtocolKind.Imap ? "imap" : "pop3"]);
        }

        arguments.AddRange(options);
        var (exitCode, output, error) = await ExternalProcess.RunAsync(Bound, "openssl", [.. arguments]);
        return new SClientHandshake(exitCode, $"{output}\n{error}");
    }

    public override string ToString() => $"exit code {ExitCode}:\n{Output}";

    // "New, TLSv1.3, Cipher is TLS_AES_256_GCM_SHA384" or "New, (NONE), Cipher is (NONE)".
    [GeneratedRegex(@"^New, (?<protocol>\S+), Cipher is (?<cipher>\S+)", RegexOptions.Multiline)]
    private static partial Regex NewSession();

    [GeneratedRegex(@"^subject=(?<subject>.*)$", RegexOptions.Multiline)]
    private static partial Regex SubjectLine();
}
