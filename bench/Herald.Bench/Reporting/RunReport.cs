namespace Herald.Bench.Reporting;

/// <summary>The JSON results file of one run: where and on what it ran, with which settings, and every scenario's report.</summary>
internal sealed record RunReport(
    string Scenario, IReadOnlyList<string> Arguments, DateTimeOffset StartedAt, DateTimeOffset FinishedAt, MachineInfo Machine, BenchSettings Settings,
    IReadOnlyList<ScenarioReport> Scenarios);
