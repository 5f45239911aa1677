namespace Proxy.Bench.Setup;

/// <summary>The four mail listeners of one system: IMAP and POP3, each plain (with STARTTLS/STLS) and implicit TLS.</summary>
internal sealed record MailPorts(int Imap, int ImapTls, int Pop3, int Pop3Tls)
{
    public static MailPorts Allocate(FreePorts ports) => new(ports.Next(), ports.Next(), ports.Next(), ports.Next());

    public IEnumerable<(int Port, bool Tls, bool Imap)> All =>
        [(Imap, false, true), (ImapTls, true, true), (Pop3, false, false), (Pop3Tls, true, false)];
}
