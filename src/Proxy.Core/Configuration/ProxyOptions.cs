namespace Proxy.Core.Configuration;

/// <summary>The <c>Proxy</c> section of appsettings.json.</summary>
public sealed class ProxyOptions
{
    /// <summary>Name used in greetings and logs. Defaults to the machine name.</summary>
    public string ServerName { get; set; } = Environment.MachineName;

    /// <summary>JSON file holding the <c>Topology</c> section. Relative paths are relative to the content root.</summary>
    public string? TopologyFile { get; set; }

    /// <summary>JSON file of users for the embedded file directory.</summary>
    public string? DirectoryFile { get; set; }

    public ImapOptions Imap { get; set; } = new();

    public Pop3Options Pop3 { get; set; } = new();

    public BackendOptions Backends { get; set; } = new();

    public FrontEndTlsOptions Tls { get; set; } = new();
}

/// <summary>Settings each mail protocol has, with Exchange's names where Exchange has one.</summary>
public abstract class MailProtocolOptions
{
    /// <summary>Listeners for this protocol. Empty means the protocol is not served.</summary>
    public List<ListenerOptions> Listeners { get; set; } = [];

    /// <remarks>Defaults to false, as Exchange 2007 SP1.</remarks>
    public bool AllowCrossSiteSessions { get; set; }

    /// <summary>Refuse users flagged <c>Privileged</c> in the directory.</summary>
    public abstract bool DenyPrivilegedAccounts { get; set; }

    /// <summary>Refuse the well-known accounts Administrator, Guest and Anonymous, as Exchange 2013 does on both protocols.</summary>
    /// <remarks>Defaults to true.</remarks>
    public bool DenyWellKnownAccounts { get; set; } = true;

    /// <remarks>Defaults to <see cref="LoginType.SecureLogin"/>.</remarks>
    public LoginType LoginType { get; set; } = LoginType.SecureLogin;

    /// <remarks>Defaults to 60 seconds.</remarks>
    public TimeSpan PreAuthenticatedConnectionTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Idle time after login before the proxy closes the session.</summary>
    public abstract TimeSpan AuthenticatedConnectionTimeout { get; set; }

    /// <summary>Longest command line accepted before login, in bytes.</summary>
    public abstract int MaxCommandSize { get; set; }

    /// <remarks>Defaults to 4; the last failure also closes the connection.</remarks>
    public int MaxFailedLoginAttempts { get; set; } = 4;

    /// <summary>
    /// Networks (CIDR, IPv4 or IPv6; a bare address is one host) whose clients may send
    /// credentials in clear whatever the <see cref="LoginType"/>, e.g. scripts on loopback.
    /// </summary>
    /// <remarks>Defaults to empty.</remarks>
    public List<string> TrustedNetworks { get; set; } = [];

    /// <summary>
    /// Commands refused before login (unknown, malformed, not allowed yet, cancelled or
    /// invalid SASL) one connection may send; the last one also closes it, as Dovecot does.
    /// </summary>
    /// <remarks>Defaults to 10.</remarks>
    public int MaxBadCommands { get; set; } = 10;

    /// <summary>
    /// The whole time a connection may spend before login, however busy it keeps the
    /// line: <see cref="PreAuthenticatedConnectionTimeout"/> only bounds silence, so a
    /// client sending a byte now and then would otherwise hold its connection forever.
    /// </summary>
    /// <remarks>Defaults to 3 minutes, as Dovecot's login timeout.</remarks>
    public TimeSpan MaxPreAuthenticatedDuration { get; set; } = TimeSpan.FromMinutes(3);
}

public sealed class ImapOptions : MailProtocolOptions
{
    /// <remarks>Defaults to false: IMAP keeps mail on the server and is allowed for privileged users; the well-known accounts are refused by <see cref="MailProtocolOptions.DenyWellKnownAccounts"/>.</remarks>
    public override bool DenyPrivilegedAccounts { get; set; }

    /// <remarks>Defaults to 1800 seconds.</remarks>
    public override TimeSpan AuthenticatedConnectionTimeout { get; set; } = TimeSpan.FromSeconds(1800);

    /// <remarks>Defaults to 10240 bytes.</remarks>
    public override int MaxCommandSize { get; set; } = 10240;

    /// <summary>Largest literal accepted before login (user names and passwords), in bytes.</summary>
    /// <remarks>Defaults to 8192.</remarks>
    public int MaxLiteralSize { get; set; } = 8192;
}

public sealed class Pop3Options : MailProtocolOptions
{
    /// <remarks>Defaults to true: POP3 to an administrator's mailbox is refused by design (seed 000).</remarks>
    public override bool DenyPrivilegedAccounts { get; set; } = true;

    /// <remarks>Defaults to 600 seconds.</remarks>
    public override TimeSpan AuthenticatedConnectionTimeout { get; set; } = TimeSpan.FromSeconds(600);

    /// <remarks>Defaults to 512 bytes.</remarks>
    public override int MaxCommandSize { get; set; } = 512;
}

/// <summary>One listening socket.</summary>
public sealed class ListenerOptions
{
    /// <summary>Address to bind: an IP address, <c>*</c> / <c>0.0.0.0</c> for every IPv4 address, <c>::</c> for every address.</summary>
    public string Address { get; set; } = "127.0.0.1";

    public int Port { get; set; }

    /// <summary>TLS from the first byte (993/995). Otherwise plaintext with STARTTLS/STLS offered.</summary>
    public bool ImplicitTls { get; set; }
}

/// <summary>How the proxy dials backends.</summary>
public sealed class BackendOptions
{
    /// <summary>Allow the plaintext method at all. Defaults to false: credentials never cross the network in clear.</summary>
    public bool AllowPlaintext { get; set; }

    /// <summary>Time for one attempt: connect, TLS, greeting and login. Defaults to 10 seconds.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Time for every attempt of one login together. Defaults to 30 seconds.</summary>
    public TimeSpan TotalTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Time for the TCP connect alone, inside the attempt. Defaults to 3 seconds.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(3);
}

/// <summary>The proxy's own certificate for implicit TLS and STARTTLS.</summary>
public sealed class FrontEndTlsOptions
{
    /// <summary>PEM certificate (with <see cref="KeyFile"/>) or PFX file.</summary>
    public string? CertificateFile { get; set; }

    /// <summary>PEM private key, when <see cref="CertificateFile"/> is PEM and does not hold the key.</summary>
    public string? KeyFile { get; set; }

    /// <summary>Password of a PFX file.</summary>
    public string? Password { get; set; }
}
