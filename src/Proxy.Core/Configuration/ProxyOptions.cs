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

    /// <summary>Tarpit and lockout of repeated failed logins, for both protocols.</summary>
    public BruteForceOptions BruteForce { get; set; } = new();

    /// <summary>Bound on concurrent password hash checks.</summary>
    public PasswordVerificationOptions PasswordVerification { get; set; } = new();

    public TelemetryOptions Telemetry { get; set; } = new();

    public ReloadOptions Reload { get; set; } = new();

    /// <summary>Backend health: active probes, thresholds, circuit breakers.</summary>
    public Backends.Health.HealthOptions Health { get; set; } = new();

    /// <summary>
    /// On shutdown (SIGTERM), how long sessions may take to end on their own after being told
    /// goodbye; then the rest are closed. The host's own shutdown timeout is set above it.
    /// </summary>
    /// <remarks>Defaults to 30 seconds.</remarks>
    public TimeSpan ShutdownDrainTimeout { get; set; } = TimeSpan.FromSeconds(30);

    public AdminOptions Admin { get; set; } = new();

    /// <summary>The health dashboard and its JSON API on the HTTP port.</summary>
    public Diagnostics.Status.DashboardOptions Dashboard { get; set; } = new();
}

/// <summary>The admin HTTP API (<c>/admin/…</c>: sessions, drain, kick).</summary>
public sealed class AdminOptions
{
    /// <summary>Shorter tokens are refused at start: the token is all that guards the API from the network.</summary>
    public const int MinimumTokenLength = 16;

    /// <summary>
    /// Bearer token the admin API requires from every caller when set (empty counts as not set).
    /// Without it the API answers loopback clients only.
    /// </summary>
    /// <remarks>Defaults to none (loopback only).</remarks>
    public string? Token { get; set; }
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
    /// Connections of this protocol open at once over all its listeners, logged in or not; past it
    /// a new connection is refused in place of the greeting (event 1101).
    /// </summary>
    /// <remarks>
    /// Defaults to 2000, Exchange 2007/2010's value. A relayed session holds two sockets, and this
    /// host's hard limit of 20,000 file descriptors lets one process relay at most about 9,900
    /// sessions: both protocols at the default (4,000 sessions, 8,000 sockets) leave room for
    /// backend attempts, listeners, the HTTP side and files.
    /// </remarks>
    public int MaxConnections { get; set; } = 2000;

    /// <summary>Connections of this protocol from one client address (IPv6: one /64) at once; past it a new one is refused (event 1103).</summary>
    /// <remarks>
    /// Defaults to 20, Exchange 2007/2010's value: a handful of mail clients (IMAP clients open up
    /// to about five connections per account) behind one address. Raise it for NAT gateways and
    /// terminal servers.
    /// </remarks>
    public int MaxConnectionFromSingleIP { get; set; } = 20;

    /// <summary>Logged-in sessions of this protocol for one user (directory UPN) at once; past it the login is refused (event 1009).</summary>
    /// <remarks>Defaults to 16, as Exchange 2010/2013.</remarks>
    public int MaxConnectionsPerUser { get; set; } = 16;

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

    /// <summary>Password of a PFX file, or of an encrypted PEM private key.</summary>
    public string? Password { get; set; }

    /// <summary>
    /// Certificates chosen by the name the client sends (SNI). The certificate above is the
    /// default: for clients that send no name or a name no entry lists.
    /// </summary>
    /// <remarks>Defaults to none.</remarks>
    public List<SniCertificateOptions> Certificates { get; set; } = [];

    /// <summary>How often the certificate and key files are checked for changes, besides the file watcher.</summary>
    /// <remarks>Defaults to 1 minute.</remarks>
    public TimeSpan ReloadCheckInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>A certificate expiring within this many days is warned about at start and on reload; 0 turns the warning off.</summary>
    /// <remarks>Defaults to 14.</remarks>
    public int ExpiryWarningDays { get; set; } = 14;

    /// <summary>Offer .NET's default cipher list (adds ECDHE with AES-CBC) instead of forward-secret AEAD suites only (Linux).</summary>
    /// <remarks>Defaults to false.</remarks>
    public bool AllowLegacyCipherSuites { get; set; }
}
