using Proxy.Core.Diagnostics.Status;
using Proxy.Core.Tests.TestDoubles;

namespace Proxy.Core.Tests.Diagnostics.Status;

public sealed class ActivityTallyTests
{
    private readonly ManualTimeProvider _clock = new();

    [Fact]
    public void Within_LoginSixtyOneSecondsAgo_LeftTheLastMinuteNotTheLastFifteen()
    {
        var tally = new ActivityTally(_clock);
        tally.Add("success");

        _clock.Advance(TimeSpan.FromSeconds(61));
        tally.Add("invalid_credentials");

        Assert.Equal(new Dictionary<string, long> { ["invalid_credentials"] = 1 }, tally.Within(TimeSpan.FromMinutes(1)));
        Assert.Equal(new Dictionary<string, long> { ["success"] = 1, ["invalid_credentials"] = 1 }, tally.Within(TimeSpan.FromMinutes(15)));
    }

    [Fact]
    public void Within_LoginFiftySecondsAgo_StillInTheLastMinute()
    {
        var tally = new ActivityTally(_clock);
        tally.Add("success");
        tally.Add("success");

        _clock.Advance(TimeSpan.FromSeconds(50));

        Assert.Equal(new Dictionary<string, long> { ["success"] = 2 }, tally.Within(TimeSpan.FromMinutes(1)));
    }

    [Fact]
    public void Within_FifteenMinutesLater_EmptySinceStartKeepsEverything()
    {
        var tally = new ActivityTally(_clock);
        tally.Add("success", 3);
        tally.Add("locked_out");

        _clock.Advance(TimeSpan.FromMinutes(15) + TimeSpan.FromSeconds(1));

        Assert.Empty(tally.Within(TimeSpan.FromMinutes(15)));
        Assert.Equal(new Dictionary<string, long> { ["success"] = 3, ["locked_out"] = 1 }, tally.SinceStart());
    }

    [Fact]
    public void Add_AfterTheRingWrapped_OldBucketStartsAfresh()
    {
        var tally = new ActivityTally(_clock);
        tally.Add("success", 5);

        // Exactly 15 minutes on: the same slot of the ring, a new bucket.
        _clock.Advance(TimeSpan.FromMinutes(15));
        tally.Add("success");

        Assert.Equal(new Dictionary<string, long> { ["success"] = 1 }, tally.Within(TimeSpan.FromMinutes(15)));
        Assert.Equal(new Dictionary<string, long> { ["success"] = 6 }, tally.SinceStart());
    }

    [Fact]
    public void Within_MinuteByMinute_SlidesOverFifteenMinutes()
    {
        var tally = new ActivityTally(_clock);
        for (var minute = 0; minute < 20; minute++)
        {
            tally.Add("success");
            _clock.Advance(TimeSpan.FromMinutes(1));
        }

        // One login a minute, the last a minute ago: the last 15 minutes hold 15 (50-60 s granularity at the old end).
        Assert.InRange(tally.Within(TimeSpan.FromMinutes(15))["success"], 14, 15);
        Assert.Equal(20, tally.SinceStart()["success"]);
    }

    [Fact]
    public void Add_MoreKeysThanKept_RestCountedAsOther()
    {
        var tally = new ActivityTally(_clock);
        for (var i = 0; i < ActivityTally.MaxKeys + 5; i++)
        {
            tally.Add($"reason_{i}");
        }

        var counts = tally.SinceStart();
        Assert.Equal(ActivityTally.MaxKeys, counts.Count);
        Assert.Equal(6, counts["other"]);
        Assert.Equal(ActivityTally.MaxKeys + 5, counts.Values.Sum());
    }
}
