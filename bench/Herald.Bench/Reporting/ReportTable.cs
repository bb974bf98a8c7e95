using System.Text;

namespace Herald.Bench.Reporting;

/// <summary>A result table, printed as Markdown so a run's output can be pasted into docs/BENCHMARKS.md as it is.</summary>
internal sealed record ReportTable(string Title, IReadOnlyList<string> Columns, IReadOnlyList<IReadOnlyList<string>> Rows)
{
    public string ToMarkdown()
    {
        var widths = Columns.Select((c, i) => Math.Max(c.Length, Rows.Select(r => r[i].Length).DefaultIfEmpty(0).Max())).ToArray();
        var text = new StringBuilder();
        text.Append("**").Append(Title).AppendLine("**").AppendLine();
        AppendRow(text, Columns, widths);
        text.Append('|');
        foreach (var width in widths)
        {
            text.Append(new string('-', width + 2)).Append('|');
        }

        text.AppendLine();
        foreach (var row in Rows)
        {
            AppendRow(text, row, widths);
        }

        return text.ToString();
    }

    private static void AppendRow(StringBuilder text, IReadOnlyList<string> cells, int[] widths)
    {
        text.Append('|');
        for (var i = 0; i < cells.Count; i++)
        {
            text.Append(' ').Append(cells[i].PadRight(widths[i])).Append(" |");
        }

        text.AppendLine();
    }
}
