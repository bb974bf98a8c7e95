using Herald.Bench.Reporting;

namespace Herald.Bench.Scenarios;

internal interface IScenario
{
    /// <summary>The name on the command line.</summary>
    string Name { get; }

    Task<ScenarioReport> RunAsync(BenchContext context);
}
