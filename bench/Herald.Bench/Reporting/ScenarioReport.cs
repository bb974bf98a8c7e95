using System.Text.Json.Serialization;

namespace Herald.Bench.Reporting;

/// <summary>
/// The outcome of one scenario: its settings and results (scenario-specific records, written to the JSON file as they
/// are), the tables printed for people, the targets it checks, charts, and problems that make the run invalid.
/// </summary>
internal sealed class ScenarioReport(string scenario)
{
    public string Scenario { get; } = scenario;

    public DateTimeOffset StartedAt { get; } = DateTimeOffset.UtcNow;

    public DateTimeOffset? FinishedAt { get; set; }

    public string? LoadAverageAtEnd { get; set; }

    public object? Settings { get; set; }

    public object? Results { get; set; }

    public List<ReportTable> Tables { get; } = [];

    public List<TargetCheck> Targets { get; } = [];

    public List<string> Notes { get; } = [];

    /// <summary>What went wrong: failed publishes, deliveries that never arrived or were not recorded, bad signatures.</summary>
    public List<string> Problems { get; } = [];

    /// <summary>SVG charts by file name (written as files, not into the JSON).</summary>
    [JsonIgnore]
    public Dictionary<string, string> Charts { get; } = [];
}
