using System.Text;

namespace Proxy.IntegrationTests.ProtocolLog;

/// <summary>Reads a protocol log folder the way an operator's tool would: header lines, then CSV rows, one per line.</summary>
internal sealed class ProtocolLogFolder(string path)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(15);

    public string Path { get; } = path;

    public IReadOnlyList<string> Files => Directory.Exists(Path)
        ? Directory.GetFiles(Path).Select(f => System.IO.Path.GetFileName(f)!).Order(StringComparer.Ordinal).ToList()
        : [];

    /// <summary>Every byte of every file in the folder, as text.</summary>
    public string AllBytes => Directory.Exists(Path)
        ? string.Concat(Directory.GetFiles(Path, "*", SearchOption.AllDirectories).Select(f => Encoding.UTF8.GetString(File.ReadAllBytes(f))))
        : "";

    public IReadOnlyList<string> Lines => AllBytes.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);

    /// <summary>The data rows as field arrays; fails if a line is not exactly 12 fields.</summary>
    public IReadOnlyList<Row> Rows => Lines.Where(l => !l.StartsWith('#')).Select(l => new Row(Split(l))).ToList();

    /// <summary>Waits (bounded) until the background writer has put down a row that matches.</summary>
    public async Task<IReadOnlyList<Row>> WaitForAsync(Func<IReadOnlyList<Row>, bool> condition)
    {
        using var limit = new CancellationTokenSource(Bound);
        while (true)
        {
            var rows = Directory.Exists(Path) ? Rows : [];
            if (condition(rows))
            {
                return rows;
            }

            await Task.Delay(50, limit.Token);
        }
    }

    private static string[] Split(string line)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted && c == '"' && i + 1 < line.Length && line[i + 1] == '"')
            {
                field.Append('"');
                i++;
            }
            else if (c == '"' && (quoted || field.Length == 0))
            {
                quoted = !quoted;
            }
            else if (c == ',' && !quoted)
            {
                fields.Add(field.ToString());
                field.Clear();
            }
            else
            {
                field.Append(c);
            }
        }

        fields.Add(field.ToString());
        Assert.True(fields.Count == 12 && !quoted, $"not a 12-field row: {line}");
        return [.. fields];
    }

    /// <summary>One row, by Exchange's column names.</summary>
    public sealed record Row(string[] Fields)
    {
        public string DateTime => Fields[0];

        public string SessionId => Fields[1];

        public int SeqNumber => int.Parse(Fields[2], System.Globalization.CultureInfo.InvariantCulture);

        public string ServerIp => Fields[3];

        public string ClientIp => Fields[4];

        public string User => Fields[5];

        public long RequestSize => long.Parse(Fields[7], System.Globalization.CultureInfo.InvariantCulture);

        public long ResponseSize => long.Parse(Fields[8], System.Globalization.CultureInfo.InvariantCulture);

        public string Command => Fields[9];

        public string Parameters => Fields[10];

        public string Context => Fields[11];

        public override string ToString() => string.Join(',', Fields);
    }
}
