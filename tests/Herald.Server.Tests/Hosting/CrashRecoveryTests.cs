using System.Collections.Concurrent;
using System.Diagnostics;
using Herald.Server.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Herald.Server.Tests.Hosting;

/// <summary>
/// Promise 1, "accepted means durable", against a real process: Herald is killed (SIGKILL) or stopped (SIGTERM)
/// while it is delivering to a slow receiver, started again on the same data directory, and every message it
/// accepted before must still reach the receiver — at least once, duplicates allowed (same webhook-id).
/// </summary>
public sealed class CrashRecoveryTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Token = "herald_sk_crash_recovery_suite_token_0123456789";
    private const int Publishers = 12;
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromMinutes(3);

    private static readonly Dictionary<string, string> Environment = new()
    {
        ["Herald__Auth__AdminToken"] = Token,
        ["Herald__Delivery__AllowedNetworks__0"] = "127.0.0.0/8",
    };

    private readonly string _data = Directory.CreateTempSubdirectory("herald-crash").FullName;
    private readonly ConcurrentDictionary<string, int> _received = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _arrived = new(0);
    private WebhookReceiver _receiver = null!;
    private int _responseDelayMs;

    public async Task InitializeAsync()
    {
        _receiver = await WebhookReceiver.StartAsync();
        _receiver.Respond = async (webhook, context) =>
        {
            _received.AddOrUpdate(webhook.Id, 1, (_, n) => n + 1);
            _arrived.Release();
            // Slow while Herald is to be stopped mid-stream; fast once it runs again, so the rest drains quickly.
            if (Volatile.Read(ref _responseDelayMs) is var delay and > 0)
            {
                await Task.Delay(delay);
            }

            context.Response.StatusCode = 200;
        };
    }

    public async Task DisposeAsync()
    {
        await _receiver.DisposeAsync();
        _arrived.Dispose();
        try
        {
            Directory.Delete(_data, recursive: true);
        }
        catch (IOException)
        {
            // Left behind in the temp folder: harmless.
        }
    }

    [Fact]
    public async Task SigKill_WhileDeliveringToSlowReceiver_EveryAcceptedMessageArrivesAfterRestart()
    {
        const int messages = 2_000;
        Volatile.Write(ref _responseDelayMs, 500); // 16 in flight per endpoint: at most ~32 webhooks/s, so 2,000 take over a minute.
        var first = await HeraldProcess.StartAsync(_data, Environment);
        IReadOnlyList<string> accepted;
        int receivedBeforeKill;
        try
        {
            using var client = first.CreateClient(Token);
            await client.CreateAppAsync("Crash", "crash");
            await client.CreateEndpointAsync("crash", _receiver.Url("/slow"));

            var publishing = Stopwatch.StartNew();
            accepted = await PublishAsync(client, "crash", messages);
            output.WriteLine($"Published {accepted.Count} messages in {publishing.Elapsed.TotalSeconds:0.0} s with {Publishers} publishers.");

            await WaitUntilAsync(() => _received.Count > 0, TimeSpan.FromSeconds(30), () => "No webhook arrived before the kill.");
            await first.KillAsync();
            receivedBeforeKill = accepted.Count(_received.ContainsKey);
        }
        finally
        {
            await first.DisposeAsync();
        }

        output.WriteLine($"Killed (SIGKILL) after the receiver had seen {receivedBeforeKill} of {accepted.Count}.");
        Assert.Equal(messages, accepted.Count);
        Assert.InRange(receivedBeforeKill, 1, messages - 1); // The kill really was mid-stream.

        Volatile.Write(ref _responseDelayMs, 0);
        var restart = Stopwatch.StartNew();
        await using var second = await HeraldProcess.StartAsync(_data, Environment);
        await WaitUntilAsync(() => accepted.All(_received.ContainsKey), DrainTimeout, () => MissingReport(accepted, second));
        output.WriteLine($"Every accepted message arrived {restart.Elapsed.TotalSeconds:0.0} s after the restart began.");

        Assert.Superset(accepted.ToHashSet(), _received.Keys.ToHashSet());
        ReportDuplicates(accepted);
        // Herald agrees: nothing is left pending that could still arrive, nothing failed.
        using var again = second.CreateClient(Token);
        await AssertAllSucceededAsync(again, "crash", messages);
    }

    [Fact]
    public async Task SigTerm_WhileDeliveringToSlowReceiver_StopsCleanly_AndEveryAcceptedMessageArrivesAfterRestart()
    {
        const int messages = 300;
        Volatile.Write(ref _responseDelayMs, 200);
        var first = await HeraldProcess.StartAsync(_data, Environment);
        IReadOnlyList<string> accepted;
        int receivedBeforeStop;
        try
        {
            using var client = first.CreateClient(Token);
            await client.CreateAppAsync("Graceful", "graceful");
            await client.CreateEndpointAsync("graceful", _receiver.Url("/slow"));
            accepted = await PublishAsync(client, "graceful", messages);

            await WaitUntilAsync(() => _received.Count > 0, TimeSpan.FromSeconds(30), () => "No webhook arrived before the stop.");
            var (kill, killOutput) = await ExternalCommand.RunAsync(
                "/bin/kill", ["-TERM", first.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture)], _data,
                new Dictionary<string, string>(), TimeSpan.FromSeconds(10));
            Assert.True(kill == 0, killOutput);
            var exitCode = await first.WaitForExitAsync(TimeSpan.FromSeconds(60));
            receivedBeforeStop = accepted.Count(_received.ContainsKey);
            Assert.True(exitCode == 0, $"Herald exited with {exitCode} on SIGTERM:\n{first.Output}");
        }
        finally
        {
            await first.DisposeAsync();
        }

        output.WriteLine($"Stopped (SIGTERM) after the receiver had seen {receivedBeforeStop} of {accepted.Count}.");
        Assert.InRange(receivedBeforeStop, 1, messages - 1);

        Volatile.Write(ref _responseDelayMs, 0);
        await using var second = await HeraldProcess.StartAsync(_data, Environment);
        await WaitUntilAsync(() => accepted.All(_received.ContainsKey), DrainTimeout, () => MissingReport(accepted, second));

        Assert.Superset(accepted.ToHashSet(), _received.Keys.ToHashSet());
        // A graceful stop lets the sends under way finish and records them, so nothing is sent twice.
        Assert.Equal(0, ReportDuplicates(accepted));
        using var again = second.CreateClient(Token);
        await AssertAllSucceededAsync(again, "graceful", messages);
    }

    /// <summary>Publishes <paramref name="count"/> messages from <see cref="Publishers"/> concurrent clients; returns every id answered 202.</summary>
    private static async Task<IReadOnlyList<string>> PublishAsync(HttpClient client, string appId, int count)
    {
        var accepted = new ConcurrentBag<string>();
        var next = 0;
        await Task.WhenAll(Enumerable.Range(0, Publishers).Select(_ => Task.Run(async () =>
        {
            int n;
            while ((n = Interlocked.Increment(ref next)) <= count)
            {
                var message = await client.PublishAsync(appId, "order.created", new JsonObject { ["payload"] = new JsonObject { ["n"] = n } });
                accepted.Add((string)message["id"]!);
            }
        })));
        return [.. accepted];
    }

    /// <summary>Re-checks <paramref name="condition"/> whenever a webhook arrives (and at least every 200 ms).</summary>
    private async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout, Func<string> describeFailure)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (!condition())
        {
            try
            {
                await _arrived.WaitAsync(TimeSpan.FromMilliseconds(200), cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"Not reached within {timeout}: {describeFailure()}");
            }
        }
    }

    private string MissingReport(IReadOnlyList<string> accepted, HeraldProcess herald)
    {
        var missing = accepted.Where(id => !_received.ContainsKey(id)).ToList();
        return $"{missing.Count} of {accepted.Count} accepted messages never arrived (e.g. {string.Join(", ", missing.Take(5))}).\n--- Herald output ---\n{herald.Output}";
    }

    private int ReportDuplicates(IReadOnlyList<string> accepted)
    {
        var duplicates = accepted.Sum(id => _received[id] - 1);
        var repeated = accepted.Count(id => _received[id] > 1);
        output.WriteLine($"Received {_received.Values.Sum()} webhooks for {accepted.Count} messages: {duplicates} duplicate(s) of {repeated} message(s), each with the same webhook-id.");
        return duplicates;
    }

    /// <summary>The endpoint's stats settle at every message succeeded: no delivery is left pending or failed.</summary>
    private static async Task AssertAllSucceededAsync(HttpClient client, string appId, int messages)
    {
        var endpoints = await (await client.GetAsync($"/api/v1/app/{appId}/endpoint")).ReadObjectAsync(HttpStatusCode.OK);
        var endpointId = (string)endpoints["data"]![0]!["id"]!;
        JsonObject stats;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        do
        {
            // The last attempts are recorded just after their webhooks arrived; give the records a moment.
            await Task.Delay(TimeSpan.FromMilliseconds(200));
            stats = await (await client.GetAsync($"/api/v1/app/{appId}/endpoint/{endpointId}/stats")).ReadObjectAsync(HttpStatusCode.OK);
        }
        while ((long)stats["success"]! < messages && DateTime.UtcNow < deadline);

        Assert.Equal(messages, (long)stats["success"]!);
        Assert.Equal(0, (long)stats["pending"]!);
        Assert.Equal(0, (long)stats["fail"]!);
    }
}
