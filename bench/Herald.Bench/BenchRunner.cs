using Herald.Bench.Reporting;
using Herald.Bench.Scenarios;

namespace Herald.Bench;

/// <summary>Runs the chosen scenarios one after the other, prints their tables, checks the targets and writes the results.</summary>
internal static class BenchRunner
{
    private static readonly IReadOnlyList<IScenario> Full =
    [
        new CeilingScenario(), new ThroughputScenario(), new LatencyScenario(), new FanoutScenario(), new PushVsPullScenario(), new BacklogScenario(),
        new RetryTimingScenario(), new NoisyNeighbourScenario(), new HotEndpointScenario(), new FifoScenario(), new ManyAppsScenario(), new SseConsumersScenario(),
        new BoundsScenario(),
    ];

    public static async Task<int> RunAsync(
        string scenario, BenchSettings settings, string repository, IReadOnlyList<string> arguments, TextWriter output, CancellationToken cancellationToken)
    {
        if (!File.Exists(settings.ServerAssembly))
        {
            await output.WriteLineAsync($"error: {settings.ServerAssembly} does not exist (build the benchmark, or give --server).");
            return 2;
        }

        IReadOnlyList<IScenario> scenarios = scenario switch
        {
            "all" => Full,
            "quick" => [new QuickScenario()],
            _ => [Full.Single(s => s.Name == scenario)],
        };
        var machine = MachineInfo.Read(repository);
        var startedAt = DateTimeOffset.UtcNow;
        await output.WriteLineAsync($"Herald.Bench {scenario} — {machine.Describe()}");
        await output.WriteLineAsync($"Herald: {settings.Nodes} process(es) of {settings.ServerAssembly}, storage {settings.Storage}; load generator and receiver in this process.");
        await output.WriteLineAsync();

        var context = new BenchContext(settings, output, cancellationToken);
        var reports = new List<ScenarioReport>();
        foreach (var next in scenarios)
        {
            ScenarioReport report;
            try
            {
                report = await next.RunAsync(context);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                context.Log($"{next.Name} failed: {e.Message}");
                report = new ScenarioReport(next.Name);
                report.Problems.Add($"{next.Name} failed: {e}");
            }

            report.FinishedAt = DateTimeOffset.UtcNow;
            report.LoadAverageAtEnd = MachineInfo.LoadAverageNow();
            reports.Add(report);
            await PrintAsync(output, report);
        }

        var targets = reports.SelectMany(r => r.Targets).ToList();
        if (targets.Count > 0)
        {
            await output.WriteLineAsync(new ReportTable(
                "issue 5 targets",
                ["target", "measured", "verdict"],
                [.. targets.Select(t => (IReadOnlyList<string>)[t.Target, t.Measured, t.Verdict])]).ToMarkdown());
        }

        var run = new RunReport(scenario, arguments, startedAt, DateTimeOffset.UtcNow, machine, settings, reports);
        var file = ResultsWriter.Write(run, settings, settings.UpdateLatest && scenario != "quick");
        await output.WriteLineAsync($"Results: {file}");

        var problems = reports.SelectMany(r => r.Problems).ToList();
        if (problems.Count == 0)
        {
            return 0;
        }

        await output.WriteLineAsync();
        await output.WriteLineAsync($"The run is not valid: {problems.Count} problem(s).");
        foreach (var problem in problems)
        {
            await output.WriteLineAsync($"  - {problem}");
        }

        return 1;
    }

    private static async Task PrintAsync(TextWriter output, ScenarioReport report)
    {
        await output.WriteLineAsync();
        foreach (var table in report.Tables)
        {
            await output.WriteLineAsync(table.ToMarkdown());
        }

        foreach (var note in report.Notes)
        {
            await output.WriteLineAsync(note);
        }
    }
}
