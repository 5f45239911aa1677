using System.Net;

namespace Proxy.Bench.Setup;

/// <summary>
/// One system a client can log in through: the backend itself (direct), the proxy, or a peer.
/// <see cref="Processes"/> are the roots whose CPU and memory are the system's cost (for direct: the backend's).
/// </summary>
internal sealed class MailSystem(string name, MailPorts ports, Func<IReadOnlyCollection<int>> processes)
{
    public const string Direct = "direct";
    public const string Proxy = "proxy";
    public const string Nginx = "nginx";
    public const string DovecotProxy = "dovecot-proxy";
    public const string Haproxy = "haproxy";

    public string Name { get; } = name;

    /// <summary>Where it listens; the proxy's may move when a restart loses a port race.</summary>
    public MailPorts Ports { get; set; } = ports;

    public IReadOnlyCollection<int> Processes => processes();

    public IPEndPoint Endpoint(bool imap, bool implicitTls) => new(IPAddress.Loopback, (imap, implicitTls) switch
    {
        (true, false) => Ports.Imap,
        (true, true) => Ports.ImapTls,
        (false, false) => Ports.Pop3,
        (false, true) => Ports.Pop3Tls,
    });
}
