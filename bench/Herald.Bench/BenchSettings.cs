using System.Text.Json.Serialization;

namespace Herald.Bench;

/// <summary>Everything a run can be told on the command line; the defaults are those of the documented full run.</summary>
internal sealed record BenchSettings
{
    public const string Sqlite = "sqlite";
    public const string Postgres = "postgres";

    /// <summary>Storage engine of the Herald processes: <c>sqlite</c> (a fresh temp folder per scenario) or <c>postgres</c>.</summary>
    public string Storage { get; init; } = Sqlite;

    /// <summary>PostgreSQL connection string (never written to the results file).</summary>
    [JsonIgnore]
    public string? PostgresConnectionString { get; init; }

    /// <summary>Herald processes on the same database; publishing and pull clients are spread over them.</summary>
    public int Nodes { get; init; } = 1;

    /// <summary>Extra environment for every Herald process (<c>--env Herald__Delivery__MaxConcurrentSends=512</c>).</summary>
    public IReadOnlyDictionary<string, string> ServerEnvironment { get; init; } = new Dictionary<string, string>();

    /// <summary>The Herald.Server.dll to run.</summary>
    public required string ServerAssembly { get; init; }

    /// <summary>Applications (one endpoint each) in throughput, latency and backlog.</summary>
    public int Apps { get; init; } = 16;

    /// <summary>Concurrent publishing clients of the closed-loop load generator.</summary>
    public int Clients { get; init; } = 64;

    public TimeSpan CeilingDuration { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Concurrent senders of the ceiling's load generator.</summary>
    public int CeilingClients { get; init; } = 64;

    /// <summary>
    /// How long each Herald process is loaded, unmeasured, before a measurement: the runtime compiles its hot code
    /// again with profile data during the first seconds, and a fresh server accepts about half as much meanwhile.
    /// </summary>
    public TimeSpan WarmUp { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The longest a warm-up goes on past <see cref="WarmUp"/> while the servers' tiered-compilation thread is still
    /// busy (over 5 % of a core in the last 2 s): measured from the start of the warm-up.
    /// </summary>
    public TimeSpan WarmUpLimit { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How long throughput and ingest-only publish.</summary>
    public TimeSpan ThroughputDuration { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Publishing rates (messages/s) of the latency scenario.</summary>
    public IReadOnlyList<int> Rates { get; init; } = [100, 1000];

    public TimeSpan LatencyDuration { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Endpoints per message in the fan-out scenario.</summary>
    public IReadOnlyList<int> Fanouts { get; init; } = [1, 10, 100, 1000];

    /// <summary>Deliveries per fan-out measurement (messages = this / endpoints), unless <see cref="FanoutDuration"/> ends publishing first.</summary>
    public int FanoutDeliveries { get; init; } = 20_000;

    /// <summary>The longest a fan-out measurement publishes.</summary>
    public TimeSpan FanoutDuration { get; init; } = TimeSpan.FromSeconds(10);

    public int PullRate { get; init; } = 100;

    public TimeSpan PullDuration { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>Messages queued while the receiver is down.</summary>
    public int BacklogCount { get; init; } = 100_000;

    /// <summary>Application counts of many-apps (one endpoint each), each measured on a fresh Herald.</summary>
    public IReadOnlyList<int> AppCounts { get; init; } = [16, 1000, 10_000];

    /// <summary>How long many-apps and sse-consumers publish per step.</summary>
    public TimeSpan ScaleDuration { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Concurrent SSE streams of sse-consumers, one step each.</summary>
    public IReadOnlyList<int> SseConsumers { get; init; } = [1, 10, 100, 1000];

    /// <summary>Publishing rate of sse-consumers, messages/s (every stream receives every message).</summary>
    public int SseRate { get; init; } = 20;

    /// <summary>How long the receiver of hot-endpoint takes to answer each webhook.</summary>
    public int ReceiverLatencyMs { get; init; } = 50;

    /// <summary>How long to wait for deliveries after publishing ended before calling the missing ones lost.</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromMinutes(3);

    /// <summary>Where the JSON results (and chart copies) go.</summary>
    public required string ResultsDirectory { get; init; }

    /// <summary>Where the charts used by docs/BENCHMARKS.md go.</summary>
    public required string ChartsDirectory { get; init; }

    /// <summary>Whether a full (non-quick) run updates bench/results/latest and the charts in docs/bench.</summary>
    public bool UpdateLatest { get; init; } = true;
}
