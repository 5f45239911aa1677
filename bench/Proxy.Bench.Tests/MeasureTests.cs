using Proxy.Bench.Measure;

namespace Proxy.Bench.Tests;

public class MeasureTests
{
    [Fact]
    public void Percentiles_are_nearest_rank()
    {
        var samples = Enumerable.Range(1, 100).Select(i => (double)i).Reverse().ToList();

        Assert.Equal(50, Percentiles.Of(samples, 50));
        Assert.Equal(99, Percentiles.Of(samples, 99));
        Assert.Equal(100, Percentiles.Of(samples, 100));
        Assert.Equal(1, Percentiles.Of(samples, 0.5));
    }

    [Fact]
    public void Percentiles_of_few_samples_and_of_none()
    {
        Assert.Equal(7, Percentiles.Of([7], 99));
        Assert.Equal(2, Percentiles.Of([3, 1, 2], 50));
        Assert.Equal(3, Percentiles.Of([3, 1, 2], 99));
        Assert.True(double.IsNaN(Percentiles.Of([], 50)));
        Assert.Throws<ArgumentOutOfRangeException>(() => Percentiles.Of([1], 0));
    }

    [Fact]
    public void The_latency_recorder_takes_samples_from_many_threads()
    {
        var recorder = new LatencyRecorder();
        Parallel.For(0, 1000, i => recorder.Add(TimeSpan.FromMicroseconds(i + 1)));

        Assert.Equal(1000, recorder.Count);
        Assert.Equal(500, recorder.Percentile(50), precision: 6);
    }

    [Fact]
    public void A_stat_line_is_parsed_from_the_last_parenthesis_on()
    {
        // Captured from /proc/PID/stat of an nginx worker, with a command name made awkward.
        const string line = "4242 (nginx: (wor ker)) S 4241 4241 4241 0 -1 4194624 1043 0 0 0 1234 567 89 10 20 0 1 0 " +
                            "35486 12345678 2048 18446744073709551615 1 1 0 0 0 0 0 4096 0 0 0 0 17 1 0 0 0 0 0 0 0 0 0 0 0 0 0";

        var stat = ProcText.ParseStat(line);

        Assert.Equal(4242, stat.Pid);
        Assert.Equal(4241, stat.ParentPid);
        Assert.Equal(1234, stat.UserTicks);
        Assert.Equal(567, stat.SystemTicks);
        Assert.Equal(89, stat.ChildUserTicks);
        Assert.Equal(10, stat.ChildSystemTicks);
        Assert.Equal(1234 + 567 + 89 + 10, stat.TotalTicks);
    }

    [Fact]
    public void A_truncated_stat_line_is_an_error()
    {
        Assert.Throws<FormatException>(() => ProcText.ParseStat("12 (x) S 1 2 3"));
        Assert.Throws<FormatException>(() => ProcText.ParseStat("garbage"));
    }

    [Fact]
    public void Rss_comes_from_the_VmRSS_line_in_KiB()
    {
        const string status = "Name:\tdotnet\nState:\tS (sleeping)\nVmPeak:\t 3302480 kB\nVmSize:\t 3237200 kB\nVmHWM:\t  103252 kB\nVmRSS:\t   87940 kB\nRssAnon:\t   40104 kB\nThreads:\t22\n";

        Assert.Equal(87940, ProcText.ParseRssKib(status));
        Assert.Equal(0, ProcText.ParseRssKib("Name:\tkthreadd\nState:\tS (sleeping)\n"));
        Assert.Throws<FormatException>(() => ProcText.ParseRssKib("VmRSS:\t 12 MB\n"));
    }

    [Fact]
    public void A_system_is_its_roots_and_everything_below_them()
    {
        (int, int)[] processes = [(1, 0), (100, 1), (101, 100), (102, 100), (103, 101), (200, 1), (201, 200)];

        Assert.Equal([100, 101, 102, 103], ProcText.WithDescendants([100], processes).Order());
        Assert.Equal([101, 103, 200, 201], ProcText.WithDescendants([101, 200], processes).Order());
        Assert.Equal([999], ProcText.WithDescendants([999], processes));
    }

    [Fact]
    public void Sampling_this_process_reads_its_cpu_time_and_memory()
    {
        var sample = ProcessSampler.Sample([Environment.ProcessId]);

        Assert.True(sample.Processes >= 1);
        Assert.True(sample.RssKib > 1024, $"RSS {sample.RssKib} KiB");
        Assert.True(sample.CpuSeconds > 0);
    }
}
