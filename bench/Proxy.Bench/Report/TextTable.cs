using System.Globalization;
using System.Text;

namespace Proxy.Bench.Report;

/// <summary>A plain-text table: a title, a header row, left-aligned first column, right-aligned figures.</summary>
internal sealed class TextTable(string title, params string[] header)
{
    /// <summary>Every column left-aligned (tables of text rather than figures).</summary>
    public bool LeftAligned { get; init; }

    private readonly List<string[]> _rows = [];
    private readonly List<string> _notes = [];

    public string Title { get; } = title;

    public void Row(params string[] cells)
    {
        if (cells.Length != header.Length)
        {
            throw new ArgumentException($"{cells.Length} cells for {header.Length} columns", nameof(cells));
        }

        _rows.Add(cells);
    }

    /// <summary>A row whose route cannot do the scenario: "n/a" in every figure, the reason in the notes.</summary>
    public void NotApplicableRow(string label, string reason)
    {
        Row([label, .. Enumerable.Repeat("n/a", header.Length - 1)]);
        Note($"{label}: n/a, {reason}");
    }

    public void Note(string note) => _notes.Add(note);

    public string Render()
    {
        var widths = header.Select((h, i) => Math.Max(h.Length, _rows.Count == 0 ? 0 : _rows.Max(r => r[i].Length))).ToArray();
        var text = new StringBuilder();
        text.Append("== ").Append(Title).Append(" ==\n");
        Line(text, header, widths);
        text.Append(string.Join("  ", widths.Select(w => new string('-', w)))).Append('\n');
        foreach (var row in _rows)
        {
            Line(text, row, widths);
        }

        foreach (var note in _notes)
        {
            text.Append("  * ").Append(note).Append('\n');
        }

        return text.ToString();
    }

    private static void TrimEnd(StringBuilder text)
    {
        while (text.Length > 0 && text[^1] == ' ')
        {
            text.Length--;
        }
    }

    /// <summary>A figure with a sensible number of digits for its size; "-" when missing.</summary>
    public static string Figure(double? value)
    {
        if (value is not { } v || double.IsNaN(v))
        {
            return "-";
        }

        var magnitude = Math.Abs(v);
        var format = magnitude >= 100 ? "0" : magnitude >= 10 ? "0.0" : magnitude >= 1 ? "0.00" : "0.000";
        return v.ToString(format, CultureInfo.InvariantCulture);
    }

    /// <summary>value / baseline as "0.85x"; "-" when either is missing or the baseline is 0.</summary>
    public static string Ratio(double? value, double? baseline) =>
        value is { } v && baseline is { } b && b != 0 && !double.IsNaN(v) && !double.IsNaN(b)
            ? (v / b).ToString("0.00", CultureInfo.InvariantCulture) + "x"
            : "-";

    private void Line(StringBuilder text, string[] cells, int[] widths)
    {
        for (var i = 0; i < cells.Length; i++)
        {
            if (i > 0)
            {
                text.Append("  ");
            }

            text.Append(i == 0 || LeftAligned ? cells[i].PadRight(widths[i]) : cells[i].PadLeft(widths[i]));
        }

        TrimEnd(text);
        text.Append('\n');
    }
}
