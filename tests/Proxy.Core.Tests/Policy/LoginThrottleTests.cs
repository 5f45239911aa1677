using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Proxy.Core.Configuration;
using Proxy.Core.Policy;
using Proxy.Core.Tests.Discovery;
using Proxy.Core.Tests.TestDoubles;

namespace Proxy.Core.Tests.Policy;

public sealed class LoginThrottleTests : IDisposable
{
    private static readonly IPEndPoint Home = new(IPAddress.Parse("192.0.2.10"), 50000);
    private static readonly IPEndPoint Elsewhere = new(IPAddress.Parse("198.51.100.20"), 50000);

    private readonly ProxyOptions _options = new();
    private readonly ManualTimeProvider _time = new();
    private readonly RecordingLogger<LoginThrottle> _logger = new();
    private readonly TestMetrics _metrics = new();
    private readonly LoginThrottle _throttle;

    public LoginThrottleTests()
    {
        // A one-minute slot (window / 10) and thresholds small enough to reach in a few calls.
        _options.BruteForce = new BruteForceOptions
        {
            Window = TimeSpan.FromMinutes(10),
            TarpitDelay = TimeSpan.FromSeconds(1),
            MaxTarpitDelay = TimeSpan.FromSeconds(8),
            LockoutDuration = TimeSpan.FromMinutes(5),
            UserAndAddressTarpitAfter = 3,
            UserAndAddressLockoutAfter = 5,
            AddressTarpitAfter = 6,
            AddressLockoutAfter = 12,
            UserTarpitAfter = 4,
            MaxTrackedKeys = 100,
        };
        _throttle = new LoginThrottle(new FixedOptionsMonitor(_options), _time, _metrics.Metrics, _logger);
    }

    public void Dispose() => _metrics.Dispose();

    [Fact]
    public void Check_NoFailures_NoDelayNotLockedOut()
    {
        Assert.Equal(default, _throttle.Check("alice", Home));
    }

    [Fact]
    public void Check_BelowTarpitThreshold_NoDelay()
    {
        Fail("alice", Home, 2);

        Assert.Equal(TimeSpan.Zero, _throttle.Check("alice", Home).Delay);
    }

    [Fact]
    public void Check_PastTarpitThreshold_DelayDoublesPerFailureUpToTheCap()
    {
        _options.BruteForce.UserAndAddressLockoutAfter = 0;
        _options.BruteForce.AddressTarpitAfter = 0;
        _options.BruteForce.UserTarpitAfter = 0;
        var delays = new List<double>();
        for (var failures = 1; failures <= 9; failures++)
        {
            _throttle.RecordFailure("alice", Home);
            delays.Add(_throttle.Check("alice", Home).Delay.TotalSeconds);
        }

        Assert.Equal([0, 0, 1, 2, 4, 8, 8, 8, 8], delays);
    }

    [Fact]
    public void Check_FailuresOlderThanTheWindow_StopCounting()
    {
        Fail("alice", Home, 2);
        _time.Advance(TimeSpan.FromMinutes(6));
        Fail("alice", Home, 1);
        Assert.Equal(TimeSpan.FromSeconds(1), _throttle.Check("alice", Home).Delay);

        // A failure counts for at least one window...
        _time.Advance(TimeSpan.FromMinutes(4));
        Assert.Equal(TimeSpan.FromSeconds(1), _throttle.Check("alice", Home).Delay);

        // ...and at most a window and a tenth: the first two have left, the third still counts.
        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(TimeSpan.Zero, _throttle.Check("alice", Home).Delay);
        Fail("alice", Home, 1);
        Assert.Equal(TimeSpan.Zero, _throttle.Check("alice", Home).Delay);
        Fail("alice", Home, 1);
        Assert.Equal(TimeSpan.FromSeconds(1), _throttle.Check("alice", Home).Delay);
    }

    [Fact]
    public void RecordFailure_UserAndAddressLockoutThreshold_LockedOutLoggedAndCounted()
    {
        Fail("alice", Home, 4);
        Assert.False(_throttle.Check("alice", Home).IsLockedOut);

        Fail("alice", Home, 1);

        var verdict = _throttle.Check("alice", Home);
        Assert.Equal(ThrottleScope.UserAndAddress, verdict.LockedOutBy);
        Assert.Equal(TimeSpan.FromSeconds(8), verdict.Delay);
        var entry = Assert.Single(_logger.Entries, e => e.EventId.Id == 3220);
        Assert.Equal(LogLevel.Warning, entry.Level);
        Assert.Contains("alice", entry.Message);
        Assert.Contains("192.0.2.10", entry.Message);
        Assert.Equal(1, _metrics.Sum("proxy.login.lockouts", ("scope", "user_and_address")));
    }

    [Fact]
    public void Check_LockoutPeriodOver_LiftedAndFailuresForgotten()
    {
        Fail("alice", Home, 5);
        _time.Advance(TimeSpan.FromMinutes(5) - TimeSpan.FromSeconds(1));
        Assert.True(_throttle.Check("alice", Home).IsLockedOut);

        _time.Advance(TimeSpan.FromSeconds(1));

        var verdict = _throttle.Check("alice", Home);
        Assert.False(verdict.IsLockedOut);
        // The user key (5 failures, tarpit from 4) still delays; the user+address count starts again.
        Assert.Equal(TimeSpan.FromSeconds(2), verdict.Delay);
        Fail("alice", Home, 1);
        Assert.False(_throttle.Check("alice", Home).IsLockedOut);
    }

    [Fact]
    public void RecordFailure_WhileLockedOut_DoesNotExtendTheLockout()
    {
        Fail("alice", Home, 5);
        _time.Advance(TimeSpan.FromMinutes(3));
        Fail("alice", Home, 3);

        _time.Advance(TimeSpan.FromMinutes(2));

        Assert.False(_throttle.Check("alice", Home).IsLockedOut);
        Assert.Single(_logger.Entries, e => e.EventId.Id == 3220);
    }

    [Fact]
    public void Check_UserLockedOutFromOneAddress_SameUserFromAnotherAddressOnlyDelayed()
    {
        Fail("alice", Home, 5);

        var verdict = _throttle.Check("alice", Elsewhere);

        Assert.False(verdict.IsLockedOut);
        // Five failures of the name from anywhere: the user key's tarpit (from 4) says 2 s.
        Assert.Equal(TimeSpan.FromSeconds(2), verdict.Delay);
    }

    [Fact]
    public void Check_UserLockedOutFromOneAddress_OtherUsersFromThatAddressUnaffected()
    {
        Fail("alice", Home, 5);

        Assert.Equal(default, _throttle.Check("bob", Home));
    }

    [Fact]
    public void RecordFailure_ManyNamesFromOneAddress_AddressTarpittedThenLockedOut()
    {
        for (var i = 0; i < 6; i++)
        {
            _throttle.RecordFailure($"user{i}", Home);
        }

        Assert.Equal(TimeSpan.FromSeconds(1), _throttle.Check("someone", Home).Delay);
        for (var i = 6; i < 12; i++)
        {
            _throttle.RecordFailure($"user{i}", Home);
        }

        Assert.Equal(ThrottleScope.Address, _throttle.Check("someone", Home).LockedOutBy);
        Assert.Equal(default, _throttle.Check("someone", Elsewhere));
        Assert.Equal(1, _metrics.Sum("proxy.login.lockouts", ("scope", "address")));
    }

    [Fact]
    public void RecordFailure_OneNameFromManyAddresses_NeverLockedOutOnlyDelayedUpToTheCap()
    {
        for (var i = 1; i <= 60; i++)
        {
            _throttle.RecordFailure("alice", new IPEndPoint(IPAddress.Parse($"203.0.113.{i}"), 1000));
        }

        var verdict = _throttle.Check("alice", new IPEndPoint(IPAddress.Parse("203.0.113.200"), 1000));

        Assert.False(verdict.IsLockedOut);
        Assert.Equal(TimeSpan.FromSeconds(8), verdict.Delay);
        Assert.DoesNotContain(_logger.Entries, e => e.EventId.Id == 3220);
    }

    [Fact]
    public void RecordSuccess_ResetsUserAndAddressAndUserCountsButNotTheAddressCount()
    {
        Fail("alice", Home, 4);
        for (var i = 0; i < 2; i++)
        {
            _throttle.RecordFailure($"user{i}", Home);
        }

        // Six failures from Home: the address key delays too.
        Assert.Equal(TimeSpan.FromSeconds(2), _throttle.Check("alice", Home).Delay);

        _throttle.RecordSuccess("alice", Home);

        Assert.Equal(TimeSpan.FromSeconds(1), _throttle.Check("alice", Home).Delay);
        Assert.Equal(TimeSpan.Zero, _throttle.Check("alice", Elsewhere).Delay);
        Fail("alice", Home, 4);
        Assert.False(_throttle.Check("alice", Home).IsLockedOut);
    }

    [Fact]
    public void RecordSuccess_WhileLockedOut_LockoutStays()
    {
        Fail("alice", Home, 5);

        _throttle.RecordSuccess("alice", Home);

        Assert.True(_throttle.Check("alice", Home).IsLockedOut);
    }

    [Theory]
    [InlineData("alice@contoso.lab", "alice")]
    [InlineData("CONTOSO\\Alice", "alice")]
    [InlineData("  ALICE  ", "alice")]
    [InlineData("ali", "ali")]
    public void CountedName_LoginNameForms_OneCountedName(string loginName, string expected)
    {
        Assert.Equal(expected, LoginThrottle.CountedName(loginName));
    }

    [Fact]
    public void RecordFailure_SameUserUnderDifferentNameForms_OneCount()
    {
        _throttle.RecordFailure("alice", Home);
        _throttle.RecordFailure("ALICE@contoso.lab", Home);
        _throttle.RecordFailure("CONTOSO\\alice", Home);

        Assert.Equal(TimeSpan.FromSeconds(1), _throttle.Check("Alice@Contoso.lab", Home).Delay);
    }

    [Fact]
    public void RecordFailure_IPv6AddressesInOneSlash64_CountAsOneAddress()
    {
        for (var i = 1; i <= 6; i++)
        {
            _throttle.RecordFailure($"user{i}", new IPEndPoint(IPAddress.Parse($"2001:db8:1:2::{i:x}"), 1000));
        }

        Assert.Equal(TimeSpan.FromSeconds(1), _throttle.Check("x", new IPEndPoint(IPAddress.Parse("2001:db8:1:2:ffff::1"), 1000)).Delay);
        Assert.Equal(TimeSpan.Zero, _throttle.Check("x", new IPEndPoint(IPAddress.Parse("2001:db8:1:3::1"), 1000)).Delay);
    }

    [Fact]
    public void Sweep_AfterTheWindow_ExpiredKeysForgotten()
    {
        Fail("alice", Home, 2);
        Fail("bob", Elsewhere, 1);
        Assert.Equal(6, _throttle.TrackedKeys);

        _time.Advance(TimeSpan.FromMinutes(12));
        _throttle.Check("carol", Home);

        Assert.Equal(0, _throttle.TrackedKeys);
    }

    [Fact]
    public void Sweep_LockedOutKey_KeptUntilTheLockoutEnds()
    {
        _options.BruteForce.LockoutDuration = TimeSpan.FromMinutes(30);
        Fail("alice", Home, 5);

        _time.Advance(TimeSpan.FromMinutes(20));
        _throttle.Check("carol", Home);

        Assert.True(_throttle.Check("alice", Home).IsLockedOut);
        Assert.Equal(1, _throttle.TrackedKeys);
    }

    [Fact]
    public void RecordFailure_ManyDistinctKeys_TableStaysWithinMaxTrackedKeysAndKeepsLockouts()
    {
        Fail("alice", Home, 5);
        for (var i = 0; i < 1000; i++)
        {
            _throttle.RecordFailure($"spray{i}", new IPEndPoint(new IPAddress(0x0A000000 + i), 1000));
            Assert.True(_throttle.TrackedKeys <= 100, $"{_throttle.TrackedKeys} keys after {i + 1} failures");
        }

        Assert.True(_throttle.Check("alice", Home).IsLockedOut);
        Assert.Contains(_logger.Entries, e => e.EventId.Id == 3224);
    }

    [Fact]
    public void Disabled_NothingCountedNothingDelayed()
    {
        _options.BruteForce.Enabled = false;

        Fail("alice", Home, 20);

        Assert.Equal(default, _throttle.Check("alice", Home));
        Assert.Equal(0, _throttle.TrackedKeys);
    }

    [Fact]
    public void Check_NoClientAddress_OnlyTheUserKeyCounts()
    {
        Fail("alice", null, 4);

        var verdict = _throttle.Check("alice", null);

        Assert.False(verdict.IsLockedOut);
        Assert.Equal(TimeSpan.FromSeconds(1), verdict.Delay);
    }

    private void Fail(string user, IPEndPoint? client, int times)
    {
        for (var i = 0; i < times; i++)
        {
            _throttle.RecordFailure(user, client);
        }
    }

    private sealed class FixedOptionsMonitor(ProxyOptions options) : IOptionsMonitor<ProxyOptions>
    {
        public ProxyOptions CurrentValue => options;

        public ProxyOptions Get(string? name) => options;

        public IDisposable? OnChange(Action<ProxyOptions, string?> listener) => null;
    }
}
