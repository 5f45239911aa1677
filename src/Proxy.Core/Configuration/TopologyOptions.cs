namespace Proxy.Core.Configuration;

/// <summary>
/// The organisation as the proxy sees it, bound from the <c>Topology</c> section
/// (usually its own file, <c>Proxy:TopologyFile</c>). Plain mutable classes for
/// binding only; <see cref="Discovery.TopologyBuilder"/> validates them into an
/// immutable <see cref="Discovery.TopologySnapshot"/>.
/// </summary>
public sealed class TopologyOptions
{
    /// <summary>The Active Directory site the proxy itself stands in. Required.</summary>
    public string LocalSite { get; set; } = "";

    /// <summary>Every site name; servers must name one of these.</summary>
    public List<string> Sites { get; set; } = [];

    public List<ServerOptions> Servers { get; set; } = [];

    public List<DatabaseOptions> Databases { get; set; } = [];
}

/// <summary>One backend server (mailbox server, CAS, or any IMAP/POP3 server).</summary>
public sealed class ServerOptions
{
    public string Name { get; set; } = "";

    /// <summary>Host name or address that is dialled.</summary>
    public string Host { get; set; } = "";

    public string Site { get; set; } = "";

    /// <summary><c>2007</c>, <c>2010</c> or <c>2013</c> (2013 also stands for any later or non-Exchange server).</summary>
    public string Version { get; set; } = "2013";

    /// <summary><c>Mailbox</c>, <c>ClientAccess</c>, or both. Defaults to both.</summary>
    public List<string> Roles { get; set; } = [];

    public ProtocolPortsOptions Imap { get; set; } = new();

    public ProtocolPortsOptions Pop3 { get; set; } = new();

    /// <summary>2010 CAS only: entries <c>host:port:SSL|TLS|None</c> (blank method = plaintext), as Exchange's Set-ImapSettings.</summary>
    public List<string> ImapInternalConnectionSettings { get; set; } = [];

    /// <summary>2010 CAS only: as <see cref="ImapInternalConnectionSettings"/> for POP3.</summary>
    public List<string> Pop3InternalConnectionSettings { get; set; } = [];

    public BackendTlsOptions Tls { get; set; } = new();

    /// <summary>
    /// Tell this server the real client's address before logging in: IMAP <c>ID</c> with
    /// Dovecot's <c>x-originating-ip</c> fields, POP3 <c>XCLIENT</c> when its CAPA lists it. The
    /// server must trust the proxy for this (Dovecot: <c>login_trusted_networks</c>).
    /// </summary>
    /// <remarks>Defaults to false.</remarks>
    public bool ForwardClientAddress { get; set; }
}

/// <summary>The ports one server offers for one protocol.</summary>
public sealed class ProtocolPortsOptions
{
    /// <summary>Implicit-TLS port (993/995 style); null when the server has none.</summary>
    public int? SslPort { get; set; }

    /// <summary>Plaintext port (143/110 style); null when the server has none.</summary>
    public int? PlainPort { get; set; }

    /// <summary>Whether the plain port offers STARTTLS/STLS. Defaults to true.</summary>
    public bool StartTls { get; set; } = true;
}

/// <summary>How the proxy validates one backend's certificate. Validation is on by default.</summary>
public sealed class BackendTlsOptions
{
    /// <summary>PEM file of CA certificates trusted for this server in addition to the system store.</summary>
    public string? CaFile { get; set; }

    /// <summary>SHA-256 (or SHA-1) thumbprint, hex; when set, a certificate with this thumbprint is accepted.</summary>
    public string? Thumbprint { get; set; }

    /// <summary>Accept any certificate. Must be said explicitly; logged as a warning at start.</summary>
    public bool AcceptAnyCertificate { get; set; }

    /// <summary>Name expected in the certificate (SNI and validation). Defaults to the dialled host.</summary>
    public string? ServerName { get; set; }
}

/// <summary>A mailbox database and the server that holds its active copy.</summary>
public sealed class DatabaseOptions
{
    public string Name { get; set; } = "";

    public string Server { get; set; } = "";
}
