namespace Proxy.Core.Policy;

/// <summary>What the brute-force counters are keyed by.</summary>
public enum ThrottleScope
{
    /// <summary>One login name from one client address: the key that locks out first.</summary>
    UserAndAddress,
    /// <summary>One client address, any login name (password spraying); locks out at a higher count.</summary>
    Address,
    /// <summary>One login name from anywhere; delays at most, never locks out.</summary>
    User,
}

/// <summary>What <see cref="LoginThrottle.Check"/> says about the next login attempt.</summary>
/// <param name="Delay">Wait this long before checking the password (or refusing it).</param>
/// <param name="LockedOutBy">The key that is locked out; null when the attempt may go on.</param>
internal readonly record struct ThrottleVerdict(TimeSpan Delay, ThrottleScope? LockedOutBy)
{
    public bool IsLockedOut => LockedOutBy is not null;
}
