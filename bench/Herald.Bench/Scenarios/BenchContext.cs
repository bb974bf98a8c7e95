using System.Globalization;
using System.Security.Cryptography;
using Herald.Bench.Harness;

namespace Herald.Bench.Scenarios;

/// <summary>What the scenarios of one run share: settings, the signing secret, results measured earlier in the run, output.</summary>
internal sealed class BenchContext(BenchSettings settings, TextWriter output, CancellationToken cancellationToken)
{
    private readonly long _startedAt = BenchClock.Now;

    public BenchSettings Settings { get; } = settings;

    public CancellationToken CancellationToken { get; } = cancellationToken;

    /// <summary>Short and unique per run, so objects of repeated runs on one PostgreSQL database do not collide.</summary>
    public string RunId { get; } = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3));

    /// <summary>The secret of every benchmark endpoint (set on creation), so the receiver verifies with one key.</summary>
    public string Secret { get; } = "whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    /// <summary>The unmeasured load before a measurement; <c>quick</c> shortens it.</summary>
    public TimeSpan WarmUp { get; set; } = settings.WarmUp;

    /// <summary>The ceiling measured earlier in this run, which throughput compares with.</summary>
    public CeilingResult? Ceiling { get; set; }

    /// <summary>The throughput measured earlier in this run, which backlog compares its drain rate with.</summary>
    public ThroughputResult? Throughput { get; set; }

    public void Log(string message) =>
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{BenchClock.Seconds(_startedAt, BenchClock.Now),6:0.0}s] {message}"));

    /// <summary>Starts fresh Herald processes (a new database) for a measurement.</summary>
    public async Task<HeraldCluster> StartHeraldAsync(IReadOnlyDictionary<string, string>? environment = null)
    {
        var startedAt = BenchClock.Now;
        var herald = await HeraldCluster.StartAsync(Settings, environment, CancellationToken);
        Log($"Herald started ({herald.Nodes.Count} process(es)) in {BenchClock.Seconds(startedAt, BenchClock.Now):0.0} s");
        return herald;
    }

    /// <summary>False in <c>quick</c>: the warm-up lasts <see cref="WarmUp"/>, whether or not the JIT has settled.</summary>
    public bool WaitForJit { get; set; } = true;

    /// <summary>
    /// The unmeasured load before a measurement on <paramref name="nodes"/>: <see cref="WarmUp"/>, then on until their
    /// JIT has settled (<see cref="Publisher.WarmUpAsync"/>), for at most <see cref="BenchSettings.WarmUpLimit"/> in all.
    /// </summary>
    public async Task<PublishResult> WarmUpAsync(Publisher publisher, IReadOnlyList<HeraldProcess> nodes, IReadOnlyList<string> apps, int clients, string label)
    {
        var limit = WaitForJit ? Settings.WarmUpLimit : WarmUp;
        var (result, settled) = await publisher.WarmUpAsync(apps, clients, WarmUp, limit, () => JitActivity.Read(nodes), CancellationToken);
        Log(settled || !WaitForJit
            ? $"{label}: warmed up for {result.Seconds:0} s"
            : $"{label}: warmed up for {result.Seconds:0} s; the JIT had not settled by then (--warm-up-limit)");
        return result;
    }

    /// <summary>A closed-loop load generator on every node of the cluster: one connection per client.</summary>
    public Publisher NewPublisher(HeraldCluster herald, int clients) => new(herald.NodeUrls, herald.AdminToken, Math.Max(clients, 16));

    /// <summary>An open-loop load generator: enough connections that no scheduled request waits for one.</summary>
    public Publisher NewOpenLoopPublisher(HeraldCluster herald) => new(herald.NodeUrls, herald.AdminToken, 2048);

    /// <summary>A uid prefix unique to this run.</summary>
    public string Prefix(string name) => $"{name}-{RunId}";
}
