using Proxy.Core.Configuration;

namespace Proxy.Core.Tests.Discovery;

/// <summary>
/// A coexistence lab: in site HQ a 2013 mailbox server, a 2010 mailbox server with
/// two 2010 CAS, a 2007 mailbox server with two 2007 CAS; in site Branch one
/// server of each kind, which HQ mailboxes must never be sent to.
/// </summary>
internal static class LabTopology
{
    public static TopologyOptions Create() => new()
    {
        LocalSite = "HQ",
        Sites = ["HQ", "Branch"],
        Servers =
        [
            Server("MBX2013", "mbx2013.contoso.lab", "HQ", "2013"),
            Server("MBX2010", "mbx2010.contoso.lab", "HQ", "2010", "Mailbox"),
            Server("CAS2010A", "cas2010a.contoso.lab", "HQ", "2010", "ClientAccess",
                imapSettings: ["cas2010a.contoso.lab:993:SSL", "cas2010a.contoso.lab:143:TLS"]),
            Server("CAS2010B", "cas2010b.contoso.lab", "HQ", "2010", "ClientAccess",
                imapSettings: ["cas2010b.contoso.lab:143:"]),
            Server("MBX2007", "mbx2007.contoso.lab", "HQ", "2007", "Mailbox"),
            Server("CAS2007A", "cas2007a.contoso.lab", "HQ", "2007", "ClientAccess"),
            Server("CAS2007B", "cas2007b.contoso.lab", "HQ", "2007", "ClientAccess"),
            Server("BRMBX2013", "brmbx2013.contoso.lab", "Branch", "2016"),
            Server("BRCAS2010", "brcas2010.contoso.lab", "Branch", "2010", "ClientAccess"),
            Server("BRCAS2007", "brcas2007.contoso.lab", "Branch", "2007", "ClientAccess"),
        ],
        Databases =
        [
            new() { Name = "DB2013", Server = "MBX2013" },
            new() { Name = "DB2010", Server = "MBX2010" },
            new() { Name = "DB2007", Server = "MBX2007" },
            new() { Name = "DBBRANCH", Server = "BRMBX2013" },
        ],
    };

    public static ServerOptions Server(
        string name,
        string host,
        string site,
        string version,
        string? role = null,
        List<string>? imapSettings = null) => new()
        {
            Name = name,
            Host = host,
            Site = site,
            Version = version,
            Roles = role is null ? [] : [role],
            Imap = new ProtocolPortsOptions { SslPort = 993, PlainPort = 143 },
            Pop3 = new ProtocolPortsOptions { SslPort = 995, PlainPort = 110 },
            ImapInternalConnectionSettings = imapSettings ?? [],
        };
}
