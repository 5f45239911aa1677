using Proxy.IntegrationTests.Infrastructure;

namespace Proxy.IntegrationTests.BackendHygiene;

/// <summary>
/// Reads what a Dovecot instance logged after a mark, so a test sees only the lines its own
/// sessions caused (tests of one class run one after another). Dovecot writes its log a little
/// after the event: reads wait for an expected line, with a deadline.
/// </summary>
public sealed class DovecotLog(DovecotBackend backend)
{
    private long _mark;

    /// <summary>Everything logged so far is ignored from now on.</summary>
    public void Mark() => _mark = Length();

    /// <summary>The lines logged since the mark.</summary>
    public IReadOnlyList<string> LinesSinceMark()
    {
        using var stream = new FileStream(backend.LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        stream.Seek(Math.Min(_mark, stream.Length), SeekOrigin.Begin);
        return new StreamReader(stream).ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    /// <summary>Waits until <paramref name="count"/> lines since the mark contain all of <paramref name="parts"/>; returns them.</summary>
    public async Task<IReadOnlyList<string>> WaitForLinesAsync(int count, params string[] parts)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            var lines = LinesSinceMark().Where(l => parts.All(p => l.Contains(p, StringComparison.Ordinal))).ToList();
            if (lines.Count >= count || DateTime.UtcNow > deadline)
            {
                return lines;
            }

            await Task.Delay(50);
        }
    }

    private long Length() => File.Exists(backend.LogPath) ? new FileInfo(backend.LogPath).Length : 0;
}
