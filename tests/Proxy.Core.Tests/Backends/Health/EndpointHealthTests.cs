using Proxy.Core.Backends;
using Proxy.Core.Backends.Health;
using static Proxy.Core.Tests.Backends.Health.HealthHarness;

namespace Proxy.Core.Tests.Backends.Health;

/// <summary>The state machine of one endpoint: health verdict and circuit breaker, on a manual clock.</summary>
public sealed class EndpointHealthTests
{
    private static readonly EndpointKey Cas = Key(Server("CAS2007A"), Ssl(993));

    private readonly HealthHarness _harness = new(Server("CAS2007A", Ssl(993)));

    [Fact]
    public void Get_NeverObserved_UnknownAndClosed()
    {
        var health = _harness.Monitor.Get(Cas);

        Assert.Equal((HealthState.Unknown, BreakerState.Closed), (health.State, health.Breaker));
        Assert.Null(health.LastProbeAt);
        Assert.Null(health.LastError);
    }

    [Fact]
    public void ReportProbe_Success_HealthyWithLatencyAndTime()
    {
        _harness.ProbeSucceeds(Cas);

        var health = _harness.Monitor.Get(Cas);
        Assert.Equal(HealthState.Healthy, health.State);
        Assert.Equal(_harness.Clock.GetUtcNow(), health.LastProbeAt);
        Assert.Equal(TimeSpan.FromMilliseconds(12), health.LastProbeLatency);
        Assert.Equal(1, health.ConsecutiveSuccesses);
    }

    [Fact]
    public void ReportProbe_FailuresBelowThreshold_StaysUnknown_ThenUnhealthy()
    {
        _harness.ProbeFails(Cas);
        Assert.Equal(HealthState.Unknown, _harness.Monitor.Get(Cas).State);

        _harness.ProbeFails(Cas);

        var health = _harness.Monitor.Get(Cas);
        Assert.Equal(HealthState.Unhealthy, health.State);
        Assert.Equal(2, health.ConsecutiveFailures);
        Assert.Equal(new HealthError(BackendFailureKind.Connect, "connect to 127.0.0.1 failed: Connection refused", HealthSource.Probe, _harness.Clock.GetUtcNow()), health.LastError);
    }

    [Fact]
    public void ReportProbe_UnhealthyThenSuccess_HealthyAgainAndLastErrorKept()
    {
        _harness.ProbeFails(Cas, 2);
        _harness.Clock.Advance(TimeSpan.FromSeconds(10));

        _harness.ProbeSucceeds(Cas);

        var health = _harness.Monitor.Get(Cas);
        Assert.Equal(HealthState.Healthy, health.State);
        Assert.Equal(0, health.ConsecutiveFailures);
        Assert.Equal(_harness.Clock.GetUtcNow(), health.StateChangedAt);
        Assert.NotNull(health.LastError);
    }

    [Fact]
    public void ReportProbe_HealthyThresholdTwo_OneSuccessIsNotEnough()
    {
        _harness.Health.HealthyThreshold = 2;
        _harness.ProbeFails(Cas, 2);

        _harness.ProbeSucceeds(Cas);
        Assert.Equal(HealthState.Unhealthy, _harness.Monitor.Get(Cas).State);

        _harness.ProbeSucceeds(Cas);
        Assert.Equal(HealthState.Healthy, _harness.Monitor.Get(Cas).State);
    }

    [Fact]
    public void ReportSession_RejectedPasswordOrTryLater_CountsAsWorkingEndpoint()
    {
        _harness.ProbeFails(Cas, 2);

        _harness.Monitor.ReportSession(Cas, BackendFailureKind.AuthRejected, "backend answered NO [AUTHENTICATIONFAILED]");
        Assert.Equal(HealthState.Healthy, _harness.Monitor.Get(Cas).State);

        _harness.Monitor.ReportSession(Cas, BackendFailureKind.AuthTempFail, "backend answered NO [UNAVAILABLE]");
        Assert.Equal((HealthState.Healthy, 0), (_harness.Monitor.Get(Cas).State, _harness.Monitor.Get(Cas).ConsecutiveFailures));
    }

    [Theory]
    [InlineData(BackendFailureKind.Connect)]
    [InlineData(BackendFailureKind.Timeout)]
    [InlineData(BackendFailureKind.Tls)]
    [InlineData(BackendFailureKind.BadGreeting)]
    [InlineData(BackendFailureKind.NoStartTls)]
    [InlineData(BackendFailureKind.Protocol)]
    public void ReportSession_EndpointFailures_MakeItUnhealthy(BackendFailureKind kind)
    {
        _harness.Monitor.ReportSession(Cas, kind, "why (state=banner)");
        _harness.Monitor.ReportSession(Cas, kind, "why (state=banner)");

        var health = _harness.Monitor.Get(Cas);
        Assert.Equal(HealthState.Unhealthy, health.State);
        Assert.Equal((kind, HealthSource.Session), (health.LastError!.Kind, health.LastError.Source));
        Assert.Null(health.LastProbeAt);
    }

    [Fact]
    public void ReportSession_LongReason_Shortened()
    {
        _harness.Monitor.ReportSession(Cas, BackendFailureKind.Protocol, new string('x', 1000));

        Assert.Equal(203, _harness.Monitor.Get(Cas).LastError!.Message.Length);
    }

    [Fact]
    public void Breaker_ThresholdFailures_OpensAndRefusesSessions()
    {
        _harness.ProbeFails(Cas, 2);
        Assert.True(_harness.Monitor.TryAdmit(Cas, out var trial));
        Assert.False(trial);

        _harness.ProbeFails(Cas);

        var health = _harness.Monitor.Get(Cas);
        Assert.Equal(BreakerState.Open, health.Breaker);
        Assert.Equal(_harness.Clock.GetUtcNow() + _harness.Health.BreakDuration, health.BreakerOpenUntil);
        Assert.False(_harness.Monitor.TryAdmit(Cas, out _));
    }

    [Fact]
    public void Breaker_BreakDurationOver_HalfOpenAdmitsExactlyOneTrial()
    {
        _harness.OpenBreaker(Cas);
        _harness.Clock.Advance(_harness.Health.BreakDuration - TimeSpan.FromMilliseconds(1));
        Assert.False(_harness.Monitor.TryAdmit(Cas, out _));

        _harness.Clock.Advance(TimeSpan.FromMilliseconds(1));

        Assert.Equal(BreakerState.HalfOpen, _harness.Monitor.Get(Cas).Breaker);
        Assert.True(_harness.Monitor.TryAdmit(Cas, out var trial));
        Assert.True(trial);
        Assert.False(_harness.Monitor.TryAdmit(Cas, out trial));
        Assert.False(trial);
        Assert.Single(_harness.Logger.WithEvent("BackendBreakerHalfOpen"));
    }

    [Fact]
    public void Breaker_TrialFails_OpensForAnotherBreak()
    {
        _harness.OpenBreaker(Cas);
        _harness.Clock.Advance(_harness.Health.BreakDuration);
        Assert.True(_harness.Monitor.TryAdmit(Cas, out _));

        _harness.Monitor.ReportSession(Cas, BackendFailureKind.Timeout, "the attempt ran past Backends:AttemptTimeout");

        var health = _harness.Monitor.Get(Cas);
        Assert.Equal(BreakerState.Open, health.Breaker);
        Assert.Equal(_harness.Clock.GetUtcNow() + _harness.Health.BreakDuration, health.BreakerOpenUntil);
        Assert.False(_harness.Monitor.TryAdmit(Cas, out _));
    }

    [Fact]
    public void Breaker_TrialSucceeds_ClosesAndAdmitsEveryone()
    {
        _harness.OpenBreaker(Cas);
        _harness.Clock.Advance(_harness.Health.BreakDuration);
        Assert.True(_harness.Monitor.TryAdmit(Cas, out _));

        _harness.Monitor.ReportSession(Cas, BackendFailureKind.None, null);

        Assert.Equal(BreakerState.Closed, _harness.Monitor.Get(Cas).Breaker);
        Assert.True(_harness.Monitor.TryAdmit(Cas, out _));
        Assert.True(_harness.Monitor.TryAdmit(Cas, out _));
        Assert.Single(_harness.Logger.WithEvent("BackendBreakerClosed"));
    }

    [Fact]
    public void Breaker_ProbeSucceedsWhileOpen_ClosesAtOnce()
    {
        _harness.OpenBreaker(Cas);

        _harness.ProbeSucceeds(Cas);

        Assert.Equal((HealthState.Healthy, BreakerState.Closed), (_harness.Monitor.Get(Cas).State, _harness.Monitor.Get(Cas).Breaker));
        Assert.True(_harness.Monitor.TryAdmit(Cas, out _));
    }

    [Fact]
    public void Breaker_ProbeFailsWhileHalfOpen_Reopens()
    {
        _harness.OpenBreaker(Cas);
        _harness.Clock.Advance(_harness.Health.BreakDuration);

        _harness.ProbeFails(Cas);

        Assert.Equal(BreakerState.Open, _harness.Monitor.Get(Cas).Breaker);
    }

    [Fact]
    public void Breaker_TrialAbandoned_NextAttemptMayTest()
    {
        _harness.OpenBreaker(Cas);
        _harness.Clock.Advance(_harness.Health.BreakDuration);
        Assert.True(_harness.Monitor.TryAdmit(Cas, out _));

        _harness.Monitor.Abandon(Cas);

        Assert.True(_harness.Monitor.TryAdmit(Cas, out _));
    }

    [Fact]
    public void Breaker_TrialNeverReports_ForgottenAfterABreak()
    {
        _harness.OpenBreaker(Cas);
        _harness.Clock.Advance(_harness.Health.BreakDuration);
        Assert.True(_harness.Monitor.TryAdmit(Cas, out _));

        _harness.Clock.Advance(_harness.Health.BreakDuration);

        Assert.True(_harness.Monitor.TryAdmit(Cas, out _));
    }
}
