using System.Globalization;
using Herald.Server.Tests.Delivery;
using Herald.Server.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Herald.Server.Tests.Hosting;

/// <summary>
/// <c>deliverAt</c> across a crash, against a real process on the real clock: a message scheduled a little over a
/// minute ahead (Svix's lower bound) is accepted, Herald is killed (SIGKILL) and started again on the same data
/// directory, and the webhook arrives once deliverAt has passed — not before, and not left for later.
/// </summary>
public sealed class ScheduledDeliveryRestartTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Token = "herald_sk_scheduled_restart_token_0123456789ab";

    private static readonly Dictionary<string, string> Environment = new()
    {
        ["Herald__Auth__AdminToken"] = Token,
        ["Herald__Delivery__AllowedNetworks__0"] = "127.0.0.0/8",
    };

    private readonly string _data = Directory.CreateTempSubdirectory("herald-scheduled").FullName;
    private WebhookReceiver _receiver = null!;

    public async Task InitializeAsync() => _receiver = await WebhookReceiver.StartAsync();

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
    public async Task ScheduledMessage_AcceptedBeforeACrash_IsDeliveredAtItsTimeAfterRestart()
    {
        DateTimeOffset deliverAt;
        string scheduledId;
        var first = await HeraldProcess.StartAsync(_data, Environment);
        try
        {
            using var client = first.CreateClient(Token);
            await client.CreateAppAsync("Later", "later");
            await client.CreateEndpointAsync("later", _receiver.Url());
            // Chosen only now: a loaded machine can take many seconds to start the process, and deliverAt must stay
            // more than Svix's one minute ahead when the publish arrives.
            deliverAt = DateTimeOffset.FromUnixTimeMilliseconds((DateTimeOffset.UtcNow + TimeSpan.FromSeconds(75)).ToUnixTimeMilliseconds());
            scheduledId = (string)(await client.PublishAsync("later", extra: new JsonObject
            {
                ["deliverAt"] = deliverAt.ToString("O", CultureInfo.InvariantCulture),
            }))["id"]!;
            // An immediate message arrives: the dispatcher runs, and it left the scheduled one alone.
            var immediate = (string)(await client.PublishAsync("later"))["id"]!;
            await _receiver.WaitForAsync(1, w => w.Id == immediate);
            await first.KillAsync();
        }
        finally
        {
            await first.DisposeAsync();
        }

        Assert.DoesNotContain(_receiver.Received, w => w.Id == scheduledId);
        await using var second = await HeraldProcess.StartAsync(_data, Environment);
        var arrived = (await _receiver.WaitForAsync(1, w => w.Id == scheduledId, TimeSpan.FromMinutes(3))).Single();

        Assert.True(arrived.ReceivedAt >= deliverAt, $"Arrived at {arrived.ReceivedAt:O}, before deliverAt {deliverAt:O}.");
        using var again = second.CreateClient(Token);
        var attempt = (await again.WaitForAttemptsAsync("later", scheduledId, 1)).Single()!;
        var lateness = attempt["timestamp"].AsTime() - deliverAt;
        output.WriteLine($"Attempted {lateness.TotalMilliseconds:0} ms after deliverAt (scan interval 1 s).");
        Assert.True(lateness >= TimeSpan.Zero, $"Attempted {lateness} before deliverAt.");
        // Due at deliverAt, so the first scan after it takes it: seconds, not a later sweep or another event.
        Assert.True(lateness < TimeSpan.FromSeconds(30), $"Attempted {lateness} after deliverAt.");
    }
}
