using Herald.Bench.Harness;
using Herald.Bench.Reporting;

namespace Herald.Bench.Scenarios;

/// <summary>
/// <c>quick</c>: a smoke run of ceiling, throughput (with ingest only) and latency at 100 msg/s, well under a minute,
/// which CI runs so that a change that breaks the benchmark (or makes Herald lose deliveries) fails the build. Its
/// numbers are not judged: they come from seconds-long runs.
/// </summary>
internal sealed class QuickScenario : IScenario
{
    private const int Apps = 4;
    private const int Clients = 32;
    private static readonly TimeSpan CeilingDuration = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan PublishDuration = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan LatencyDuration = TimeSpan.FromSeconds(4);

    public string Name => "quick";

    public async Task<ScenarioReport> RunAsync(BenchContext context)
    {
        var report = new ScenarioReport(Name)
        {
            Settings = new { Apps, Clients, CeilingSeconds = CeilingDuration.TotalSeconds, PublishSeconds = PublishDuration.TotalSeconds, LatencySeconds = LatencyDuration.TotalSeconds, Rate = 100 },
        };
        context.WarmUp = TimeSpan.FromSeconds(1);
        context.WaitForJit = false;
        var ceiling = await CeilingScenario.MeasureAsync(context, CeilingDuration, Clients);
        // One Herald process for all three parts (each on its own applications): a start costs seconds on a busy machine.
        await using var receiver = await WebhookReceiver.StartAsync(context.Secret);
        await using var herald = await context.StartHeraldAsync();
        var throughput = await ThroughputScenario.MeasureAsync(context, herald, receiver, Apps, Clients, PublishDuration, ceiling, report.Problems);
        var ingest = await IngestOnly.MeasureAsync(context, herald, Apps, Clients, PublishDuration, report.Problems);
        var latency = await LatencyScenario.MeasureAsync(context, herald, receiver, Apps, [100], LatencyDuration, report.Problems);
        report.Results = new { Ceiling = ceiling, Throughput = throughput, IngestOnly = ingest, Latency = latency };
        report.Tables.Add(CeilingScenario.Table(ceiling));
        report.Tables.Add(ThroughputScenario.Table(throughput));
        report.Tables.Add(IngestOnly.Table(ingest));
        report.Tables.Add(LatencyScenario.Table(latency));
        report.Notes.Add("quick: a smoke test; its numbers come from seconds-long runs and are not compared with the targets.");
        return report;
    }
}
