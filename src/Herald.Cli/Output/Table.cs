namespace Herald.Cli.Output;

/// <summary>
/// Plain left-aligned columns, two spaces apart: readable in a terminal and easy to cut with awk. Widths are measured
/// on the plain text; colours (on a terminal only) are added after padding.
/// </summary>
internal static class Table
{
    public static void Write(
        TextWriter output, IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows, Ansi? ansi = null, Func<int, string, string>? colour = null)
    {
        ansi ??= Ansi.None;
        var all = rows.ToList();
        var widths = headers.Select((header, column) => all.Select(row => row[column].Length).Prepend(header.Length).Max()).ToArray();
        WriteRow(output, headers, widths, (_, text) => ansi.Bold(text));
        foreach (var row in all)
        {
            WriteRow(output, row, widths, colour);
        }
    }

    private static void WriteRow(TextWriter output, IReadOnlyList<string> cells, int[] widths, Func<int, string, string>? colour)
    {
        var last = cells.Count - 1;
        while (last > 0 && cells[last].Length == 0)
        {
            last--;
        }

        var line = string.Join("  ", cells.Take(last + 1).Select((cell, column) =>
        {
            var padding = column == last ? "" : new string(' ', widths[column] - cell.Length);
            return (colour is null ? cell : colour(column, cell)) + padding;
        }));
        output.WriteLine(line);
    }
}
