namespace Proxy.Core.Configuration;

/// <summary>
/// The <c>Proxy:BruteForce</c> section: failed logins counted per user and client address,
/// per client address and per user over a sliding window, for both protocols together (a
/// guess is as good over POP3 as over IMAP). Past a tarpit threshold each further attempt of
/// that key waits; past a lockout threshold the key is refused for a while without the
/// password being checked. docs/security.md explains the design.
/// </summary>
public sealed class BruteForceOptions
{
    /// <remarks>Defaults to true.</remarks>
    public bool Enabled { get; set; } = true;

    /// <summary>How long a failed login counts. A failure counts for at least this long and at most a tenth longer.</summary>
    /// <remarks>Defaults to 15 minutes.</remarks>
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>The wait of the first delayed attempt; it doubles with each further failure, up to <see cref="MaxTarpitDelay"/>.</summary>
    /// <remarks>Defaults to 1 second.</remarks>
    public TimeSpan TarpitDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest wait; also the wait before a locked-out attempt is refused.</summary>
    /// <remarks>Defaults to 15 seconds.</remarks>
    public TimeSpan MaxTarpitDelay { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How long a locked-out key is refused. Its failures are forgotten when the lockout ends.</summary>
    /// <remarks>Defaults to 15 minutes.</remarks>
    public TimeSpan LockoutDuration { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Failures of one login name from one client address after which its attempts are delayed; 0 = never.</summary>
    /// <remarks>Defaults to 3.</remarks>
    public int UserAndAddressTarpitAfter { get; set; } = 3;

    /// <summary>Failures of one login name from one client address that lock that pair out; 0 = never.</summary>
    /// <remarks>Defaults to 10.</remarks>
    public int UserAndAddressLockoutAfter { get; set; } = 10;

    /// <summary>Failures from one client address (any login names) after which its attempts are delayed; 0 = never.</summary>
    /// <remarks>Defaults to 30: many users may share an address behind NAT.</remarks>
    public int AddressTarpitAfter { get; set; } = 30;

    /// <summary>Failures from one client address (any login names) that lock the address out: password spraying; 0 = never.</summary>
    /// <remarks>Defaults to 100.</remarks>
    public int AddressLockoutAfter { get; set; } = 100;

    /// <summary>
    /// Failures of one login name from any address after which its attempts are delayed; 0 = never.
    /// A user is never locked out by this count alone, so nobody can lock a user out from everywhere.
    /// </summary>
    /// <remarks>Defaults to 10.</remarks>
    public int UserTarpitAfter { get; set; } = 10;

    /// <summary>Most keys tracked at once; past it the oldest unlocked keys are forgotten first.</summary>
    /// <remarks>Defaults to 100000 (about 15 MB).</remarks>
    public int MaxTrackedKeys { get; set; } = 100_000;
}
