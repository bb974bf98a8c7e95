using System.Text.Json.Serialization;
using Herald.Client.Tests.Infrastructure;
using Herald.Server.Tests.Infrastructure;

namespace Herald.Client.Tests.Messages;

public sealed record OrderCreated(string OrderId, decimal Total);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(OrderCreated))]
public sealed partial class OrderJsonContext : JsonSerializerContext;

public sealed class MessagesApiTests : IDisposable
{
    private readonly HeraldApplication _server = new();
    private readonly HeraldClient _herald;

    public MessagesApiTests() => _herald = _server.CreateHeraldClient();

    public void Dispose()
    {
        _herald.Dispose();
        _server.Dispose();
    }

    [Fact]
    public async Task Publish_AnyJsonObject_ReadsBackTheSamePayload()
    {
        await _herald.CreateShopAsync("order.created");
        var payload = TestEnvironment.Json("""{"orderId":"o-1","lines":[{"sku":"A","qty":2}],"note":null,"vip":true}""");

        var published = await _herald.Messages.CreateAsync("shop", new MessageIn
        {
            EventType = "order.created",
            Payload = payload,
            EventId = "evt-1",
            Channels = ["eu"],
            Tags = ["first"],
        });

        Assert.StartsWith("msg_", published.Id);
        Assert.Equal(payload.GetRawText(), published.Payload.GetRawText());
        var byEventId = await _herald.Messages.GetAsync("shop", "evt-1");
        Assert.Equal(published.Id, byEventId.Id);
        Assert.Equal(payload.GetRawText(), byEventId.Payload.GetRawText());
        Assert.Equal(["eu"], byEventId.Channels!);
        Assert.Equal(["first"], byEventId.Tags!);
    }

    [Fact]
    public async Task Publish_ATypedPayload_WithASourceGeneratedContract()
    {
        await _herald.CreateShopAsync("order.created");

        var published = await _herald.Messages.CreateAsync("shop", MessageIn.Create("order.created", new OrderCreated("o-7", 19.99m), OrderJsonContext.Default.OrderCreated));

        Assert.Equal(new OrderCreated("o-7", 19.99m), published.GetPayload(OrderJsonContext.Default.OrderCreated));
        Assert.Equal("o-7", published.Payload.GetProperty("orderId").GetString());
    }

    [Fact]
    public async Task Publish_WithTheSameIdempotencyKeyTwice_ReturnsTheSameMessage_AndStoresOne()
    {
        await _herald.CreateShopAsync("order.created");
        var message = new MessageIn { EventType = "order.created", Payload = TestEnvironment.Json("""{"n":1}""") };

        var first = await _herald.Messages.CreateAsync("shop", message, idempotencyKey: "publish-1");
        var again = await _herald.Messages.CreateAsync("shop", message, idempotencyKey: "publish-1");

        Assert.Equal(first.Id, again.Id);
        Assert.Single((await _herald.Messages.ListAsync("shop")).Data);
    }

    [Fact]
    public async Task List_FiltersAndWalksAllPages_NewestFirst()
    {
        await _herald.CreateShopAsync("order.created", "order.shipped");
        var ids = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add((await _herald.Messages.CreateAsync("shop", new MessageIn
            {
                EventType = i % 2 == 0 ? "order.created" : "order.shipped",
                Payload = TestEnvironment.Json($$"""{"n":{{i}}}"""),
                Channels = [i < 3 ? "eu" : "us"],
                Tags = i == 4 ? ["last"] : null,
            })).Id);
        }

        var walked = new List<string>();
        await foreach (var message in _herald.Messages.ListAllAsync("shop", new MessageListOptions { Limit = 2 }, TestEnvironment.Timeout()))
        {
            walked.Add(message.Id);
        }

        Assert.Equal(ids.AsEnumerable().Reverse(), walked);
        Assert.Equal([ids[4], ids[2], ids[0]], (await _herald.Messages.ListAsync("shop", new MessageListOptions { EventTypes = ["order.created"] })).Data.Select(m => m.Id));
        Assert.Equal([ids[2], ids[1], ids[0]], (await _herald.Messages.ListAsync("shop", new MessageListOptions { Channel = "eu" })).Data.Select(m => m.Id));
        Assert.Equal([ids[4]], (await _herald.Messages.ListAsync("shop", new MessageListOptions { Tag = "last" })).Data.Select(m => m.Id));
        Assert.Equal(ids, (await _herald.Messages.ListAsync("shop", new MessageListOptions { Order = ListOrder.Ascending })).Data.Select(m => m.Id));
        Assert.Empty((await _herald.Messages.ListAsync("shop", new MessageListOptions { After = DateTimeOffset.UtcNow.AddMinutes(1) })).Data);
        Assert.Equal(5, (await _herald.Messages.ListAsync("shop", new MessageListOptions { Before = DateTimeOffset.UtcNow.AddMinutes(1) })).Data.Count);
        var withoutContent = await _herald.Messages.ListAsync("shop", new MessageListOptions { WithContent = false, Limit = 1 });
        Assert.Equal("{}", withoutContent.Data[0].Payload.GetRawText());
    }

    [Fact]
    public async Task ExpungeContent_LeavesTheMessageWithAnEmptyPayload()
    {
        await _herald.CreateShopAsync("order.created");
        var message = await _herald.PublishAsync("shop", "order.created", """{"card":"4242"}""");

        await _herald.Messages.ExpungeContentAsync("shop", message.Id);

        var read = await _herald.Messages.GetAsync("shop", message.Id);
        Assert.Equal("{}", read.Payload.GetRawText());
        Assert.Equal("{}", (await _herald.Messages.GetAsync("shop", message.Id, withContent: false)).Payload.GetRawText());
    }

    [Fact]
    public async Task Publish_ToAnArchivedEventType_Throws422_WithTheProblem()
    {
        await _herald.CreateShopAsync("order.created");
        await _herald.EventTypes.DeleteAsync("order.created");

        var e = await Assert.ThrowsAsync<HeraldApiException>(() => _herald.PublishAsync("shop", "order.created"));

        Assert.Equal((HttpStatusCode.UnprocessableEntity, "validation_error"), (e.StatusCode, e.Code));
        var problem = Assert.Single(e.Errors);
        Assert.Equal(("event_type_archived", "body.eventType"), (problem.Type, string.Join('.', problem.Loc)));
    }

    [Fact]
    public async Task Publish_ToAnApplicationThatDoesNotExist_Throws404_OrCreatesItWhenGiven()
    {
        await _herald.EventTypes.CreateAsync(new EventTypeIn { Name = "order.created" });

        var e = await Assert.ThrowsAsync<HeraldApiException>(() => _herald.PublishAsync("nowhere", "order.created"));
        Assert.Equal("not_found", e.Code);

        var message = await _herald.Messages.CreateAsync("tenant-1", new MessageIn
        {
            EventType = "order.created",
            Payload = TestEnvironment.Json("{}"),
            Application = new ApplicationIn { Name = "Tenant 1" },
        });
        Assert.Equal(message.Id, (await _herald.Messages.GetAsync("tenant-1", message.Id)).Id);
    }
}
