using Herald.Server.Tests.Delivery;
using Herald.Server.Tests.Infrastructure;

namespace Herald.Server.Tests.Storage;

/// <summary>
/// The experiment behind docs/SCALING.md, "Past one database": two Herald servers, each on its own database, with the
/// applications split between them by a directory the test keeps (what a router in front of them would keep). Every
/// per-application operation — create, publish, deliver, read messages and attempts — is served by the application's
/// own database alone; what spans applications (the admin list of applications) is per database and has to be merged.
/// </summary>
public sealed class ShardingTests : IAsyncLifetime
{
    private WebhookReceiver _receiver = null!;

    public async Task InitializeAsync() => _receiver = await WebhookReceiver.StartAsync();

    public async Task DisposeAsync() => await _receiver.DisposeAsync();

    [Fact]
    public async Task TwoDatabases_ApplicationsSplitBetweenThem_EachDeliversAndServesOnlyItsOwn()
    {
        using var first = DeliveryTestKit.LoopbackHerald();
        using var second = DeliveryTestKit.LoopbackHerald();
        HttpClient[] shards = [first.CreateAdminClient(), second.CreateAdminClient()];
        string[] apps = ["tenant-0", "tenant-1", "tenant-2", "tenant-3"];
        static int ShardOf(int app) => app % 2;

        var messages = new string[apps.Length];
        for (var i = 0; i < apps.Length; i++)
        {
            var owner = shards[ShardOf(i)];
            await owner.CreateAppAsync(apps[i], apps[i]);
            await owner.CreateEndpointAsync(apps[i], _receiver.Url($"/{apps[i]}"));
            messages[i] = (string)(await owner.PublishAsync(apps[i]))["id"]!;
        }

        var received = await _receiver.WaitForAsync(apps.Length);
        Assert.Equal(messages.Order(StringComparer.Ordinal), received.Select(w => w.Id).Order(StringComparer.Ordinal));
        for (var i = 0; i < apps.Length; i++)
        {
            Assert.Equal($"/{apps[i]}", Assert.Single(received, w => w.Id == messages[i]).Path);
            var owner = shards[ShardOf(i)];
            var other = shards[1 - ShardOf(i)];
            await (await owner.GetAsync($"/api/v1/app/{apps[i]}/msg/{messages[i]}")).ReadObjectAsync(HttpStatusCode.OK);
            var attempt = await SingleAttemptAsync(owner, apps[i], messages[i]);
            Assert.Equal(0, (int)attempt["status"]!);
            await (await other.GetAsync($"/api/v1/app/{apps[i]}")).AssertErrorAsync(HttpStatusCode.NotFound, "not_found");
            await (await other.GetAsync($"/api/v1/app/{apps[i]}/msg/{messages[i]}")).AssertErrorAsync(HttpStatusCode.NotFound, "not_found");
        }

        // The admin list spans applications: each database lists its own, and only the union is the whole.
        for (var shard = 0; shard < shards.Length; shard++)
        {
            var list = await (await shards[shard].GetAsync("/api/v1/app?limit=50")).ReadObjectAsync(HttpStatusCode.OK);
            var uids = list["data"]!.AsArray().Select(a => (string)a!["uid"]!).Order(StringComparer.Ordinal);
            Assert.Equal(apps.Where((_, i) => ShardOf(i) == shard), uids);
        }
    }

    /// <summary>The message's one attempt, once its database has recorded it (just after the receiver answered).</summary>
    private static async Task<JsonObject> SingleAttemptAsync(HttpClient client, string app, string message)
    {
        for (var tries = 0; ; tries++)
        {
            var page = await (await client.GetAsync($"/api/v1/app/{app}/attempt/msg/{message}")).ReadObjectAsync(HttpStatusCode.OK);
            var data = page["data"]!.AsArray();
            if (data.Count > 0 || tries == 100)
            {
                return Assert.Single(data)!.AsObject();
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50));
        }
    }
}
