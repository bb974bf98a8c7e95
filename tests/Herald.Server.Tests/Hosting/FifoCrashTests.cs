using System.Collections.Concurrent;
using Herald.Server.Tests.Infrastructure;

namespace Herald.Server.Tests.Hosting;

/// <summary>
/// A FIFO endpoint's order is kept by storage, not by the process: Herald is killed (SIGKILL) in the middle of a line,
/// with retries in it, started again on the same data directory, and the receiver still sees the messages in sequence
/// order (the one in flight at the kill may come twice, never after a later one).
/// </summary>
public sealed class FifoCrashTests : IAsyncLifetime
{
    private const string Token = "herald_sk_fifo_crash_suite_token_0123456789ab";
    private const int Messages = 30;

    private static readonly Dictionary<string, string> Environment = new()
    {
        ["Herald__Auth__AdminToken"] = Token,
        ["Herald__Delivery__AllowedNetworks__0"] = "127.0.0.0/8",
        ["Herald__Delivery__Jitter"] = "0",
        ["Herald__Delivery__RetrySchedule__0"] = "00:00:00.050",
        ["Herald__Delivery__RetrySchedule__1"] = "00:00:00.050",
    };

    private readonly string _data = Directory.CreateTempSubdirectory("herald-fifo-crash").FullName;
    private readonly ConcurrentDictionary<string, int> _positions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _tries = new(StringComparer.Ordinal);
    private WebhookReceiver _receiver = null!;

    public async Task InitializeAsync()
    {
        _receiver = await WebhookReceiver.StartAsync();
        _receiver.Respond = async (webhook, context) =>
        {
            // Every fourth message fails its first try; all are slow enough for the kill to land mid-line.
            var tried = _tries.AddOrUpdate(webhook.Id, 1, (_, n) => n + 1);
            await Task.Delay(50);
            // The position from the payload: a message may arrive before the publisher has read its 202.
            context.Response.StatusCode = (int)JsonNode.Parse(webhook.BodyText)!["n"]! % 4 == 0 && tried == 1 ? 500 : 200;
        };
    }

    public async Task DisposeAsync()
    {
        await _receiver.DisposeAsync();
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
    public async Task SigKill_MidLine_FifoEndpointStillReceivesInSequenceOrderAfterRestart()
    {
        var first = await HeraldProcess.StartAsync(_data, Environment);
        try
        {
            using var client = first.CreateClient(Token);
            await client.CreateAppAsync("Crash", "crash");
            await client.CreateEndpointAsync("crash", _receiver.Url("/ordered"), new JsonObject { ["fifo"] = true });
            for (var n = 1; n <= Messages; n++)
            {
                var id = (string)(await client.PublishAsync("crash", extra: new JsonObject { ["payload"] = new JsonObject { ["n"] = n } }))["id"]!;
                _positions[id] = n;
            }

            await WaitUntilAsync(() => Distinct() >= 8, "8 messages arrived before the kill");
            await first.KillAsync();
        }
        finally
        {
            await first.DisposeAsync();
        }

        var beforeRestart = Distinct();
        Assert.InRange(beforeRestart, 1, Messages - 1); // The kill really was mid-line.

        await using var second = await HeraldProcess.StartAsync(_data, Environment);
        await WaitUntilAsync(() => Distinct() == Messages, "every message arrived after the restart");

        var order = _receiver.Received.Where(w => _positions.ContainsKey(w.Id)).Select(w => _positions[w.Id]).ToList();
        Assert.True(order.SequenceEqual(order.Order()), $"Arrivals out of sequence order (killed after {beforeRestart}): {string.Join(",", order)}");
        Assert.Equal(Enumerable.Range(1, Messages), order.Distinct());
    }

    private int Distinct() => _receiver.Received.Select(w => w.Id).Where(_positions.ContainsKey).Distinct().Count();

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(3)); // Generous: CI machines are loaded; order is checked, not speed.
        while (!condition())
        {
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(50), deadline.Token);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail("Timed out waiting until " + what);
            }
        }
    }
}
