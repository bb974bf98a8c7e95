using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Herald.Bench.Reporting;

/// <summary>
/// Writes <c>bench/results/&lt;scenario&gt;-&lt;UTC time&gt;.json</c> (and the run's charts beside it). A full run also
/// refreshes <c>bench/results/latest/&lt;scenario&gt;.json</c> and the charts in <c>docs/bench/</c>, which are committed
/// and used by docs/BENCHMARKS.md.
/// </summary>
internal static class ResultsWriter
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter() },
    };

    public static string Write(RunReport run, BenchSettings settings, bool updateLatest)
    {
        var stamp = run.StartedAt.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var json = JsonSerializer.Serialize(run, Json) + Environment.NewLine;
        var charts = run.Scenarios.SelectMany(s => s.Charts).ToList();
        Directory.CreateDirectory(settings.ResultsDirectory);
        var path = Path.Combine(settings.ResultsDirectory, $"{run.Scenario}-{stamp}.json");
        File.WriteAllText(path, json);
        foreach (var (name, svg) in charts)
        {
            File.WriteAllText(Path.Combine(settings.ResultsDirectory, $"{run.Scenario}-{stamp}-{name}"), svg);
        }

        if (updateLatest)
        {
            var latest = Path.Combine(settings.ResultsDirectory, "latest");
            Directory.CreateDirectory(latest);
            File.WriteAllText(Path.Combine(latest, $"{run.Scenario}.json"), json);
            Directory.CreateDirectory(settings.ChartsDirectory);
            foreach (var (name, svg) in charts)
            {
                File.WriteAllText(Path.Combine(settings.ChartsDirectory, name), svg);
            }
        }

        return path;
    }
}
