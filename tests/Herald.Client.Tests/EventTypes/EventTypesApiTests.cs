using Herald.Client.Tests.Infrastructure;
using Herald.Server.Tests.Infrastructure;

namespace Herald.Client.Tests.EventTypes;

public sealed class EventTypesApiTests : IDisposable
{
    private readonly HeraldApplication _server = new();
    private readonly HeraldClient _herald;

    public EventTypesApiTests() => _herald = _server.CreateHeraldClient();

    public void Dispose()
    {
        _herald.Dispose();
        _server.Dispose();
    }

    [Fact]
    public async Task Crud_CreatesGetsPatchesUpsertsArchivesAndExpunges()
    {
        var schemas = TestEnvironment.Json("""{"1": {"type": "object", "examples": [{"id": 7}]}}""");
        var created = await _herald.EventTypes.CreateAsync(new EventTypeIn { Name = "order.created", Description = "An order", Schemas = schemas, GroupName = "orders" });
        Assert.Equal(("order.created", "An order", false), (created.Name, created.Description, created.Archived));
        Assert.Equal(7, created.Schemas!.Value.GetProperty("1").GetProperty("examples")[0].GetProperty("id").GetInt32());

        Assert.Equal("orders", (await _herald.EventTypes.GetAsync("order.created")).GroupName);

        var patched = await _herald.EventTypes.PatchAsync("order.created", new EventTypePatch { Deprecated = true });
        Assert.True(patched.Deprecated);
        Assert.Equal("An order", patched.Description);

        var upserted = await _herald.EventTypes.UpsertAsync("order.shipped", new EventTypeUpdate { Description = "Shipped" });
        Assert.Equal("Shipped", upserted.Description);

        await _herald.EventTypes.DeleteAsync("order.created");
        Assert.True((await _herald.EventTypes.GetAsync("order.created")).Archived);
        Assert.Equal(["order.shipped"], (await _herald.EventTypes.ListAsync()).Data.Select(e => e.Name));
        var withArchived = await _herald.EventTypes.ListAsync(new EventTypeListOptions { IncludeArchived = true });
        Assert.Equal(["order.created", "order.shipped"], withArchived.Data.Select(e => e.Name));
        Assert.All(withArchived.Data, e => Assert.Null(e.Schemas));
        var withContent = await _herald.EventTypes.ListAsync(new EventTypeListOptions { IncludeArchived = true, WithContent = true });
        Assert.NotNull(withContent.Data[0].Schemas);

        await _herald.EventTypes.DeleteAsync("order.created", expunge: true);
        var e = await Assert.ThrowsAsync<HeraldApiException>(() => _herald.EventTypes.GetAsync("order.created"));
        Assert.Equal("not_found", e.Code);
    }

    [Fact]
    public async Task ListAll_WalksEveryPage_IncludingNamesThatStartWithADash()
    {
        string[] names = ["-early", "a.one", "b.two", "c.three", "d.four"];
        foreach (var name in names)
        {
            await _herald.EventTypes.CreateAsync(new EventTypeIn { Name = name });
        }

        var walked = new List<string>();
        await foreach (var eventType in _herald.EventTypes.ListAllAsync(new EventTypeListOptions { Limit = 1 }, TestEnvironment.Timeout()))
        {
            walked.Add(eventType.Name);
        }

        Assert.Equal(names, walked);
    }

    [Fact]
    public async Task CreatingAnExistingEventType_Throws409Conflict()
    {
        await _herald.EventTypes.CreateAsync(new EventTypeIn { Name = "order.created" });

        var e = await Assert.ThrowsAsync<HeraldApiException>(() => _herald.EventTypes.CreateAsync(new EventTypeIn { Name = "order.created" }));

        Assert.Equal((HttpStatusCode.Conflict, "conflict"), (e.StatusCode, e.Code));
    }
}
