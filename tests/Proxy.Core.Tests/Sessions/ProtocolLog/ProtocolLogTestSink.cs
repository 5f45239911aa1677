using Microsoft.Extensions.Logging;
using Proxy.Core.Configuration;
using Proxy.Core.Sessions.ProtocolLog;
using Proxy.Core.Tests.PreAuth;
using Proxy.Core.Tests.TestDoubles;

namespace Proxy.Core.Tests.Sessions.ProtocolLog;

/// <summary>A real <see cref="ProtocolLogSink"/> writing to a temporary folder; <see cref="FinishAsync"/> drains it and returns what reached the disk.</summary>
internal sealed class ProtocolLogTestSink : IDisposable
{
    public ProtocolLogTestSink(MailProtocol protocol = MailProtocol.Imap, TimeProvider? time = null, int capacity = ProtocolLogSink.Capacity)
    {
        Directory = Path.Combine(Path.GetTempPath(), "plog-" + Guid.NewGuid().ToString("N"));
        Time = time ?? new ManualTimeProvider();
        Sink = new ProtocolLogSink(protocol, () => (Options, Directory), Metrics.Metrics, Time, Logs.CreateLogger("test"), capacity);
    }

    public string Directory { get; set; }

    public ProtocolLogOptions Options { get; } = new() { ProtocolLogEnabled = true };

    public TimeProvider Time { get; }

    public TestMetrics Metrics { get; } = new();

    public RecordingLoggerFactory Logs { get; } = new();

    public ProtocolLogSink Sink { get; }

    /// <summary>Writes everything queued, ends the writer, and returns the text of every file in the folder, oldest name first.</summary>
    public async Task<string> FinishAsync()
    {
        var loop = Sink.RunAsync();
        Sink.Complete();
        await loop.WaitAsync(TimeSpan.FromSeconds(10));
        return AllText();
    }

    public string AllText() => System.IO.Directory.Exists(Directory)
        ? string.Concat(System.IO.Directory.GetFiles(Directory).Order(StringComparer.Ordinal).Select(File.ReadAllText))
        : "";

    /// <summary>The data rows (not the # header lines) of everything written, split into fields.</summary>
    public IReadOnlyList<string[]> Rows() =>
        AllText().Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Where(l => !l.StartsWith('#')).Select(CsvLine.Split).ToList();

    public void Dispose()
    {
        Sink.Dispose();
        Metrics.Dispose();
        if (System.IO.Directory.Exists(Directory))
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
    }
}

/// <summary>An RFC 4180 reader for one physical line, as a spreadsheet or Log Parser would read it.</summary>
internal static class CsvLine
{
    public static string[] Split(string line)
    {
        var fields = new List<string>();
        var field = new System.Text.StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(c);
                }
            }
            else if (c == '"' && field.Length == 0)
            {
                quoted = true;
            }
            else if (c == ',')
            {
                fields.Add(field.ToString());
                field.Clear();
            }
            else
            {
                field.Append(c);
            }
        }

        Assert.False(quoted, $"unterminated quote in: {line}");
        fields.Add(field.ToString());
        return [.. fields];
    }
}
