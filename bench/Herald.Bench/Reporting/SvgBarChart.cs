using System.Globalization;
using System.Security;
using System.Text;

namespace Herald.Bench.Reporting;

/// <summary>One series of a bar chart: a value per category.</summary>
internal sealed record ChartSeries(string Name, IReadOnlyList<double> Values);

/// <summary>A dashed horizontal line across the chart, such as a target.</summary>
internal sealed record ChartLine(double Value, string Label);

/// <summary>
/// Grouped bar charts as hand-written SVG (no dependency): one group per category, one bar per series, the value
/// written above each bar, and dashed lines for targets. A logarithmic axis shows milliseconds next to seconds, or
/// 0.001 next to 1 request.
/// </summary>
internal static class SvgBarChart
{
    private const double Width = 760, Height = 420, Left = 72, Right = 24, Top = 78, Bottom = 56;
    private static readonly string[] Colors = ["#4e79a7", "#f28e2b", "#e15759", "#59a14f", "#76b7b2", "#b07aa1"];

    public static string Render(
        string title, string subtitle, string axisLabel, IReadOnlyList<string> categories, IReadOnlyList<ChartSeries> series, bool logarithmic,
        IReadOnlyList<ChartLine>? lines = null)
    {
        lines ??= [];
        var values = series.SelectMany(s => s.Values).Concat(lines.Select(l => l.Value)).Where(v => v > 0).DefaultIfEmpty(1).ToList();
        var (low, high, ticks) = logarithmic ? LogAxis(values.Min(), values.Max()) : LinearAxis(values.Max());
        var plotWidth = Width - Left - Right;
        var plotHeight = Height - Top - Bottom;
        double Y(double v) => logarithmic
            ? Top + plotHeight * (1 - ((Math.Log10(Math.Max(v, low)) - Math.Log10(low)) / (Math.Log10(high) - Math.Log10(low))))
            : Top + plotHeight * (1 - (v / high));

        var svg = new StringBuilder();
        svg.Append(Invariant($"""<svg xmlns="http://www.w3.org/2000/svg" width="{Width}" height="{Height}" viewBox="0 0 {Width} {Height}" font-family="Helvetica, Arial, sans-serif">"""));
        svg.AppendLine().Append(Invariant($"""<rect width="{Width}" height="{Height}" fill="#ffffff"/>""")).AppendLine();
        svg.Append(Text(Left, 26, title, 16, "start", "bold")).Append(Text(Left, 46, subtitle, 11, "start", fill: "#555555"));

        foreach (var tick in ticks)
        {
            var y = Y(tick);
            svg.Append(Invariant($"""<line x1="{Left}" y1="{y:0.#}" x2="{Width - Right}" y2="{y:0.#}" stroke="#e3e3e3"/>""")).AppendLine();
            svg.Append(Text(Left - 6, y + 4, Format(tick), 10, "end", fill: "#555555"));
        }

        svg.Append(Invariant($"""<text x="16" y="{Top + (plotHeight / 2):0.#}" font-size="11" fill="#555555" text-anchor="middle" transform="rotate(-90 16 {Top + (plotHeight / 2):0.#})">{Escape(axisLabel)}</text>""")).AppendLine();

        var groupWidth = plotWidth / categories.Count;
        var barWidth = groupWidth * 0.8 / series.Count;
        for (var c = 0; c < categories.Count; c++)
        {
            var groupLeft = Left + (c * groupWidth) + (groupWidth * 0.1);
            for (var s = 0; s < series.Count; s++)
            {
                var value = series[s].Values[c];
                var x = groupLeft + (s * barWidth);
                var y = Y(Math.Max(value, logarithmic ? low : 0));
                svg.Append(Invariant($"""<rect x="{x:0.#}" y="{y:0.#}" width="{barWidth - 2:0.#}" height="{Top + plotHeight - y:0.#}" fill="{Colors[s % Colors.Length]}"/>""")).AppendLine();
                svg.Append(Text(x + ((barWidth - 2) / 2), y - 4, Format(value), 9, "middle"));
            }

            svg.Append(Text(Left + (c * groupWidth) + (groupWidth / 2), Top + plotHeight + 18, categories[c], 11, "middle"));
        }

        svg.Append(Invariant($"""<line x1="{Left}" y1="{Top + plotHeight}" x2="{Width - Right}" y2="{Top + plotHeight}" stroke="#888888"/>""")).AppendLine();
        foreach (var line in lines)
        {
            var y = Y(line.Value);
            svg.Append(Invariant($"""<line x1="{Left}" y1="{y:0.#}" x2="{Width - Right}" y2="{y:0.#}" stroke="#c0392b" stroke-width="1.2" stroke-dasharray="6 4"/>""")).AppendLine();
            svg.Append(Invariant($"""<text x="{Width - Right - 2}" y="{y - 4:0.#}" font-size="10" fill="#c0392b" text-anchor="end" stroke="#ffffff" stroke-width="3" paint-order="stroke">{Escape(line.Label)}</text>""")).AppendLine();
        }

        var legendX = Left;
        for (var s = 0; s < series.Count; s++)
        {
            svg.Append(Invariant($"""<rect x="{legendX:0.#}" y="{Top - 20}" width="10" height="10" fill="{Colors[s % Colors.Length]}"/>""")).AppendLine();
            svg.Append(Text(legendX + 14, Top - 11, series[s].Name, 11, "start"));
            legendX += 24 + (series[s].Name.Length * 6.5);
        }

        svg.AppendLine("</svg>");
        return svg.ToString();
    }

    private static (double Low, double High, IReadOnlyList<double> Ticks) LogAxis(double min, double max)
    {
        var low = Math.Pow(10, Math.Floor(Math.Log10(min)));
        var high = Math.Pow(10, Math.Ceiling(Math.Log10(max * 1.5)));
        var ticks = new List<double>();
        for (var t = low; t <= high * 1.0001; t *= 10)
        {
            ticks.Add(t);
        }

        return (low, high, ticks);
    }

    private static (double Low, double High, IReadOnlyList<double> Ticks) LinearAxis(double max)
    {
        var raw = max * 1.15 / 5;
        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        var step = (raw / magnitude) switch { <= 1 => 1, <= 2 => 2, <= 5 => 5, _ => 10 } * magnitude;
        var high = Math.Ceiling(max * 1.15 / step) * step;
        return (0, high, [.. Enumerable.Range(0, (int)Math.Round(high / step) + 1).Select(i => i * step)]);
    }

    public static string Format(double value) => value switch
    {
        0 => "0",
        < 0.01 => value.ToString("0.#####", CultureInfo.InvariantCulture),
        < 1 => value.ToString("0.###", CultureInfo.InvariantCulture),
        < 10 => value.ToString("0.##", CultureInfo.InvariantCulture),
        < 1000 => value.ToString("0.#", CultureInfo.InvariantCulture),
        _ => value.ToString("#,0", CultureInfo.InvariantCulture),
    };

    private static string Text(double x, double y, string text, int size, string anchor, string weight = "normal", string fill = "#222222") =>
        Invariant($"""<text x="{x:0.#}" y="{y:0.#}" font-size="{size}" font-weight="{weight}" fill="{fill}" text-anchor="{anchor}">{Escape(text)}</text>""") + "\n";

    private static string Escape(string text) => SecurityElement.Escape(text) ?? "";

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
