using Proxy.Core.Configuration;
using Proxy.IntegrationTests.Harness;
using Proxy.IntegrationTests.Infrastructure;

namespace Proxy.IntegrationTests.Ordering;

/// <summary>Small one-site topologies on loopback, in the shape of samples/lab/topology.template.json.</summary>
public static class Topologies
{
    public const string Site = "HQ";
    public const string Password = "Passw0rd!";
    public const string Alice = "alice@contoso.lab";
    public const string Carol = "carol@contoso.lab";
    public const string Dave = "dave@contoso.lab";
    public const string Db2013 = "HQ-DB2013";
    public const string Db2010 = "HQ-DB2010";
    public const string Db2007 = "HQ-DB2007";

    /// <summary>alice on 2013, carol on 2007, dave on 2010: one user per discovery rule.</summary>
    public static IReadOnlyList<DirectoryUser> Users { get; } =
    [
        new(Alice, Password, Db2013),
        new(Carol, Password, Db2007),
        new(Dave, Password, Db2010),
    ];

    public static TopologyOptions Create(IEnumerable<ServerOptions> servers, params (string Database, string Server)[] databases) => new()
    {
        LocalSite = Site,
        Sites = [Site],
        Servers = servers.ToList(),
        Databases = databases.Select(d => new DatabaseOptions { Name = d.Database, Server = d.Server }).ToList(),
    };

    /// <summary>A server dialled on its own ports (2013 mailbox, 2007 CAS); null ports are not offered.</summary>
    public static ServerOptions Server(
        string name,
        string version,
        string role,
        TestPki pki,
        ProtocolPortsOptions? imap = null,
        ProtocolPortsOptions? pop3 = null) => new()
        {
            Name = name,
            Host = "127.0.0.1",
            Site = Site,
            Version = version,
            Roles = role == "Both" ? ["Mailbox", "ClientAccess"] : [role],
            Imap = imap ?? new ProtocolPortsOptions(),
            Pop3 = pop3 ?? new ProtocolPortsOptions(),
            Tls = new BackendTlsOptions { CaFile = pki.CaCertificatePath },
        };

    public static ProtocolPortsOptions Ports(int? ssl, int? plain, bool startTls = true) =>
        new() { SslPort = ssl, PlainPort = plain, StartTls = startTls };

    /// <summary>alice's 2013 mailbox server with the given ports.</summary>
    public static TopologyOptions Single2013(TestPki pki, ProtocolPortsOptions imap, ProtocolPortsOptions pop3) =>
        Create([Server("HQ-MBX2013", "2013", "Both", pki, imap, pop3)], (Db2013, "HQ-MBX2013"));

    /// <summary>carol's 2007 mailbox server (no ports of its own) and two 2007 CAS.</summary>
    public static TopologyOptions Pair2007(TestPki pki, (ProtocolPortsOptions Imap, ProtocolPortsOptions Pop3) a, (ProtocolPortsOptions Imap, ProtocolPortsOptions Pop3) b) =>
        Create(
            [
                Server("HQ-MBX2007", "2007", "Mailbox", pki),
                Server("HQ-CAS2007A", "2007", "ClientAccess", pki, a.Imap, a.Pop3),
                Server("HQ-CAS2007B", "2007", "ClientAccess", pki, b.Imap, b.Pop3),
            ],
            (Db2007, "HQ-MBX2007"));
}
