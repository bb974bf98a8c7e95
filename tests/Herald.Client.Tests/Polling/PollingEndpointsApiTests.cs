using Herald.Client.Tests.Infrastructure;
using Herald.Server.Tests.Infrastructure;

namespace Herald.Client.Tests.Polling;

public sealed class PollingEndpointsApiTests : IDisposable
{
    private readonly HeraldApplication _server = new();
    private readonly HeraldClient _herald;

    public PollingEndpointsApiTests() => _herald = _server.CreateHeraldClient();

    public void Dispose()
    {
        _herald.Dispose();
        _server.Dispose();
    }

    [Fact]
    public async Task Crud_CreatesGetsPatchesUpsertsListsAndDeletes()
    {
        await _herald.CreateShopAsync("order.created");

        var created = await _herald.PollingEndpoints.CreateAsync("shop", new PollingEndpointIn { Uid = "pull", EventTypes = ["order.created"] });
        Assert.StartsWith("sink_", created.Id);
        Assert.Equal(("pollingEndpoint", PollingEndpointStatus.Enabled), (created.Type, created.Status));
        Assert.Equivalent(created, await _herald.PollingEndpoints.GetAsync("shop", "pull"), strict: true);

        var disabled = await _herald.PollingEndpoints.PatchAsync("shop", "pull", new PollingEndpointPatch { Status = PollingEndpointStatus.Disabled, Channels = ["eu"] });
        Assert.Equal((PollingEndpointStatus.Disabled, "eu"), (disabled.Status, disabled.Channels!.Single()));
        Assert.Equal(["order.created"], disabled.EventTypes!);

        var replaced = await _herald.PollingEndpoints.UpsertAsync("shop", "pull", new PollingEndpointIn { Uid = "pull" });
        Assert.Equal((PollingEndpointStatus.Enabled, null, null), (replaced.Status, replaced.EventTypes, replaced.Channels));
        var second = await _herald.PollingEndpoints.UpsertAsync("shop", "audit", new PollingEndpointIn());

        var all = new List<string>();
        await foreach (var sink in _herald.PollingEndpoints.ListAllAsync("shop", new ListOptions { Limit = 1 }, TestEnvironment.Timeout()))
        {
            all.Add(sink.Id);
        }

        Assert.Equal([created.Id, second.Id], all);

        await _herald.PollingEndpoints.DeleteAsync("shop", "pull");
        var e = await Assert.ThrowsAsync<HeraldApiException>(() => _herald.PollingEndpoints.GetAsync("shop", "pull"));
        Assert.Equal((HttpStatusCode.NotFound, "not_found"), (e.StatusCode, e.Code));
    }
}
