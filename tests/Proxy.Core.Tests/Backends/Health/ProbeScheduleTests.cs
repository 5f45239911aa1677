using Proxy.Core.Backends.Health;

namespace Proxy.Core.Tests.Backends.Health;

public sealed class ProbeScheduleTests
{
    private static readonly HealthOptions Options = new() { ProbeInterval = TimeSpan.FromSeconds(10), Jitter = 0.2 };

    [Theory]
    [InlineData(0.0, 8_000)]
    [InlineData(0.5, 10_000)]
    [InlineData(0.999999, 12_000)]
    public void NextDelay_StaysWithinIntervalPlusMinusJitter(double unit, int expectedMs)
    {
        Assert.Equal(expectedMs, ProbeSchedule.NextDelay(Options, unit).TotalMilliseconds, precision: 0);
    }

    [Fact]
    public void NextDelay_ManyDraws_SpreadOverTheWholeWindow()
    {
        var random = new Random(42);

        var delays = Enumerable.Range(0, 1000).Select(_ => ProbeSchedule.NextDelay(Options, random.NextDouble())).ToList();

        Assert.All(delays, d => Assert.InRange(d, TimeSpan.FromSeconds(8), TimeSpan.FromSeconds(12)));
        Assert.True(delays.Min() < TimeSpan.FromSeconds(8.5) && delays.Max() > TimeSpan.FromSeconds(11.5), "jitter does not spread the probes");
    }

    [Fact]
    public void FirstDelay_WithinTheFirstJitterWindow()
    {
        Assert.Equal(TimeSpan.Zero, ProbeSchedule.FirstDelay(Options, 0));
        Assert.InRange(ProbeSchedule.FirstDelay(Options, 0.999999), TimeSpan.FromSeconds(1.99), TimeSpan.FromSeconds(2));
    }

    [Fact]
    public void NextDelay_NoJitter_ExactInterval()
    {
        var options = new HealthOptions { ProbeInterval = TimeSpan.FromSeconds(1), Jitter = 0 };

        Assert.Equal(TimeSpan.FromSeconds(1), ProbeSchedule.NextDelay(options, 0.73));
    }
}
