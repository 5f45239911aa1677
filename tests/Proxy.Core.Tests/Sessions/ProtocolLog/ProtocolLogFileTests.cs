using Proxy.Core.Sessions.ProtocolLog;
using Proxy.Core.Tests.TestDoubles;

namespace Proxy.Core.Tests.Sessions.ProtocolLog;

public sealed class ProtocolLogFileTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "plog-file-" + Guid.NewGuid().ToString("N"));
    private readonly ManualTimeProvider _time = new();

    public void Dispose()
    {
        if (System.IO.Directory.Exists(_directory))
        {
            System.IO.Directory.Delete(_directory, recursive: true);
        }
    }

    [Theory]
    [InlineData(LogFileRollOver.Hourly, "IMAP42026010100-1.LOG", "IMAP42026010101-1.LOG", 0, 1)]
    [InlineData(LogFileRollOver.Daily, "IMAP420260101-1.LOG", "IMAP420260102-1.LOG", 0, 24)]
    [InlineData(LogFileRollOver.Weekly, "IMAP420260105-1.LOG", "IMAP420260112-1.LOG", 24 * 4, 24 * 7)]
    [InlineData(LogFileRollOver.Monthly, "IMAP4202601-1.LOG", "IMAP4202602-1.LOG", 0, 24 * 31)]
    public void Write_PeriodEnds_NewFileNamedAfterTheNewPeriodWithItsOwnHeader(LogFileRollOver rollOver, string first, string second, int startHours, int hours)
    {
        var options = new ProtocolLogOptions { LogFileRollOverSettings = rollOver };
        _time.Advance(TimeSpan.FromHours(startHours));
        using var file = new ProtocolLogFile("IMAP4", "IMAP4 Protocol Log", _time);

        file.Write("row1\r\n", _directory, options);
        _time.Advance(TimeSpan.FromHours(hours) - TimeSpan.FromSeconds(1));
        file.Write("row2\r\n", _directory, options);
        _time.Advance(TimeSpan.FromSeconds(1));
        file.Write("row3\r\n", _directory, options);
        file.Close();

        Assert.Equal([first, second], System.IO.Directory.GetFiles(_directory).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.EndsWith("#Fields: " + ProtocolLogCsv.Fields + "\r\nrow1\r\nrow2\r\n", File.ReadAllText(Path.Combine(_directory, first)));
        var next = File.ReadAllText(Path.Combine(_directory, second));
        Assert.StartsWith("#Software: Proxy\r\n", next);
        Assert.EndsWith("#Date: " + _time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture) + "\r\n#Fields: " + ProtocolLogCsv.Fields + "\r\nrow3\r\n", next);
    }

    [Fact]
    public void Period_Weekly_NamedAfterTheMondayOfTheWeek() =>
        Assert.Equal("20251229", ProtocolLogFile.Period(LogFileRollOver.Weekly, new DateTimeOffset(2026, 1, 4, 23, 59, 59, TimeSpan.Zero)));

    [Fact]
    public void Write_SizeQuotaReached_NextNumberedFileAndNoFileOverQuota()
    {
        var options = new ProtocolLogOptions { LogPerFileSizeQuota = 4096 };
        var row = new string('x', 998) + "\r\n";
        using var file = new ProtocolLogFile("POP3", "POP3 Protocol Log", _time);

        for (var i = 0; i < 10; i++)
        {
            file.Write(row, _directory, options);
        }

        file.Close();

        var files = System.IO.Directory.GetFiles(_directory).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(["POP320260101-1.LOG", "POP320260101-2.LOG", "POP320260101-3.LOG", "POP320260101-4.LOG"], files);
        Assert.All(files, f => Assert.InRange(new FileInfo(Path.Combine(_directory, f!)).Length, 1, 4096));
        Assert.Equal(10, files.Sum(f => File.ReadAllLines(Path.Combine(_directory, f!)).Count(l => l.StartsWith('x'))));
    }

    [Fact]
    public void Write_NoQuota_OneFileHowEverLarge()
    {
        var options = new ProtocolLogOptions { LogPerFileSizeQuota = 0 };
        using var file = new ProtocolLogFile("POP3", "POP3 Protocol Log", _time);

        for (var i = 0; i < 20; i++)
        {
            file.Write(new string('x', 998) + "\r\n", _directory, options);
        }

        file.Close();

        Assert.Single(System.IO.Directory.GetFiles(_directory));
    }

    [Fact]
    public void Write_FileOfThisPeriodExists_NeverAppendedToANewNumberInstead()
    {
        System.IO.Directory.CreateDirectory(_directory);
        File.WriteAllText(Path.Combine(_directory, "IMAP420260101-3.LOG"), "earlier run\r\n");
        using var file = new ProtocolLogFile("IMAP4", "IMAP4 Protocol Log", _time);

        file.Write("row\r\n", _directory, new ProtocolLogOptions());
        file.Close();

        Assert.Equal("earlier run\r\n", File.ReadAllText(Path.Combine(_directory, "IMAP420260101-3.LOG")));
        Assert.EndsWith("row\r\n", File.ReadAllText(Path.Combine(_directory, "IMAP420260101-4.LOG")));
    }

    [Theory]
    [InlineData("IMAP420260101-1.LOG", true)]
    [InlineData("IMAP42026010112-17.LOG", true)]
    [InlineData("IMAP420260101.LOG", false)]
    [InlineData("IMAP4notes-1.LOG", false)]
    [InlineData("POP320260101-1.LOG", false)]
    [InlineData("IMAP420260101-1.LOG.bak", false)]
    public void IsLogName_OnlyThisProtocolsFiles(string name, bool expected) =>
        Assert.Equal(expected, ProtocolLogFile.IsLogName(name, "IMAP4"));
}
