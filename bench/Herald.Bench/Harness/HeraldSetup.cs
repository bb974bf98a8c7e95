using Herald.Client;

namespace Herald.Bench.Harness;

/// <summary>A webhook endpoint the benchmark created: its application's uid and its own uid.</summary>
internal sealed record WebhookTarget(string App, string Endpoint);

/// <summary>Creating the benchmark's applications and endpoints through the API, and reading back what Herald recorded.</summary>
internal static class HeraldSetup
{
    private const int SetupConcurrency = 8;

    /// <summary>Applications <c>{prefix}-{i}</c>, each with one endpoint at <paramref name="endpointUrl"/>(i) — or none when it is null.</summary>
    public static async Task<IReadOnlyList<WebhookTarget>> CreateAppsAsync(
        HeraldClient admin, string prefix, int count, Func<int, string>? endpointUrl, string secret, CancellationToken cancellationToken)
    {
        var targets = new WebhookTarget[count];
        await Parallel.ForEachAsync(Enumerable.Range(0, count), Options(cancellationToken), async (i, ct) =>
        {
            var app = $"{prefix}-{i}";
            await admin.Applications.CreateAsync(new ApplicationIn { Name = $"Benchmark {app}", Uid = app }, cancellationToken: ct);
            if (endpointUrl is not null)
            {
                await admin.Endpoints.CreateAsync(app, new EndpointIn { Url = endpointUrl(i), Uid = "ep", Secret = secret }, cancellationToken: ct);
            }

            targets[i] = new WebhookTarget(app, "ep");
        });
        return targets;
    }

    /// <summary>One application with <paramref name="count"/> endpoints <c>ep-{i}</c> at <paramref name="endpointUrl"/>(i).</summary>
    public static async Task<IReadOnlyList<WebhookTarget>> CreateFanoutAppAsync(
        HeraldClient admin, string app, int count, Func<int, string> endpointUrl, string secret, CancellationToken cancellationToken)
    {
        await admin.Applications.CreateAsync(new ApplicationIn { Name = $"Benchmark {app}", Uid = app }, cancellationToken: cancellationToken);
        var targets = new WebhookTarget[count];
        await Parallel.ForEachAsync(Enumerable.Range(0, count), Options(cancellationToken), async (i, ct) =>
        {
            await admin.Endpoints.CreateAsync(app, new EndpointIn { Url = endpointUrl(i), Uid = $"ep-{i}", Secret = secret }, cancellationToken: ct);
            targets[i] = new WebhookTarget(app, $"ep-{i}");
        });
        return targets;
    }

    /// <summary>The endpoints' delivery states summed (<c>GET …/endpoint/{ep}/stats</c>).</summary>
    public static async Task<EndpointStats> SumStatsAsync(HeraldClient admin, IReadOnlyList<WebhookTarget> targets, CancellationToken cancellationToken)
    {
        var all = new EndpointStats[targets.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, targets.Count), Options(cancellationToken), async (i, ct) =>
            all[i] = await admin.Endpoints.GetStatsAsync(targets[i].App, targets[i].Endpoint, cancellationToken: ct));
        return new EndpointStats(all.Sum(s => s.Success), all.Sum(s => s.Pending), all.Sum(s => s.Sending), all.Sum(s => s.Fail), all.Sum(s => s.Canceled));
    }

    /// <summary>
    /// Waits until Herald has recorded <paramref name="expected"/> successful deliveries over the endpoints (an attempt is
    /// recorded just after the receiver answered it), and returns the last stats read.
    /// </summary>
    public static async Task<EndpointStats> WaitForRecordedAsync(
        HeraldClient admin, IReadOnlyList<WebhookTarget> targets, long expected, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = BenchClock.After(BenchClock.Now, timeout);
        while (true)
        {
            var stats = await SumStatsAsync(admin, targets, cancellationToken);
            if (stats.Success >= expected || BenchClock.Now > deadline)
            {
                return stats;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken);
        }
    }

    /// <summary>Every attempt recorded for one endpoint, counted by paging through <c>GET …/attempt/endpoint/{ep}</c>.</summary>
    public static async Task<long> CountAttemptsAsync(HeraldClient admin, WebhookTarget target, CancellationToken cancellationToken)
    {
        var count = 0L;
        await foreach (var _ in admin.Attempts.ListAllByEndpointAsync(target.App, target.Endpoint, new AttemptListOptions { Limit = 250 }, cancellationToken))
        {
            count++;
        }

        return count;
    }

    private static ParallelOptions Options(CancellationToken cancellationToken) =>
        new() { MaxDegreeOfParallelism = SetupConcurrency, CancellationToken = cancellationToken };
}
