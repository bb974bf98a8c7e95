using System.Globalization;
using System.Net.Http.Headers;
using Herald.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Herald.Server.Tests.Messages;

public sealed class MessagesApiTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2030, 3, 1, 9, 0, 0, TimeSpan.Zero);

    private readonly HeraldApplication _herald = new();
    private readonly FakeTimeProvider _clock = new(Start);
    private readonly HttpClient _client;

    public MessagesApiTests()
    {
        // A fake clock, so message timestamps (and the before/after filters) are known exactly.
        var factory = _herald.WithWebHostBuilder(b => b.ConfigureTestServices(s => s.AddSingleton<TimeProvider>(_clock)));
        _client = factory.CreateClient();
        _client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", HeraldApplication.AdminToken);
    }

    public void Dispose() => _herald.Dispose();

    private async Task<string> CreateAppAsync() => (string)(await _client.CreateAppAsync("Acme", "acme"))["id"]!;

    private async Task<JsonObject> GetMessageAsync(string appId, string msgId, string query = "") =>
        await (await _client.GetAsync($"/api/v1/app/{appId}/msg/{msgId}{query}")).ReadObjectAsync(HttpStatusCode.OK);

    private async Task<List<string>> ListIdsAsync(string appId, string query = "")
    {
        var list = await (await _client.GetAsync($"/api/v1/app/{appId}/msg{query}")).ReadObjectAsync(HttpStatusCode.OK);
        return list["data"]!.AsArray().Select(m => (string)m!["id"]!).ToList();
    }

    private static List<string?> Loc(JsonObject error) => error["detail"]![0]!["loc"]!.AsArray().Select(n => (string?)n).ToList();

    [Fact]
    public async Task Create_Returns202WithMessageFields()
    {
        var appId = await CreateAppAsync();

        var response = await _client.PostAsJsonAsync($"/api/v1/app/{appId}/msg", new
        {
            eventType = "invoice.paid",
            eventId = "evt-1",
            payload = new { amount = 42 },
            channels = new[] { "project:1" },
            tags = new[] { "eu", "vip" },
        });
        var message = await response.ReadObjectAsync(HttpStatusCode.Accepted);

        Assert.StartsWith("msg_", (string?)message["id"]);
        Assert.Equal("invoice.paid", (string?)message["eventType"]);
        Assert.Equal("evt-1", (string?)message["eventId"]);
        Assert.Equal(["project:1"], message["channels"]!.AsArray().Select(n => (string?)n));
        Assert.Equal(["eu", "vip"], message["tags"]!.AsArray().Select(n => (string?)n));
        Assert.Equal(Start, DateTimeOffset.Parse((string)message["timestamp"]!, CultureInfo.InvariantCulture));
        Assert.Equal(42, (int?)message["payload"]!["amount"]);
        Assert.Equal(message.ToJsonString(), (await GetMessageAsync(appId, (string)message["id"]!)).ToJsonString());
    }

    [Fact]
    public async Task Create_StoresPayloadBytesExactlyAsSent()
    {
        var appId = await CreateAppAsync();
        const string payload = """{"b":1,  "a":[1.50,"ü"]}""";

        var created = await _client.PostJsonAsync($"/api/v1/app/{appId}/msg", $$"""{"eventType": "invoice.paid", "payload": {{payload}}}""");
        var message = await created.ReadObjectAsync(HttpStatusCode.Accepted);
        var fetched = await _client.GetAsync($"/api/v1/app/{appId}/msg/{message["id"]}?with_content=true");
        var text = await fetched.Content.ReadAsStringAsync();

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(payload), (await fetched.ReadObjectAsync(HttpStatusCode.OK))["payload"]));
        Assert.Contains("1.50", text);
        Assert.Contains($"\"payload\":{payload}", text);
    }

    [Fact]
    public async Task WithContentFalse_ReturnsEmptyPayload()
    {
        var appId = await CreateAppAsync();

        var created = await (await _client.PostAsJsonAsync($"/api/v1/app/{appId}/msg?with_content=false", new { eventType = "invoice.paid", payload = new { amount = 42 } }))
            .ReadObjectAsync(HttpStatusCode.Accepted);
        var msgId = (string)created["id"]!;
        var fetched = await GetMessageAsync(appId, msgId, "?with_content=false");
        var list = await (await _client.GetAsync($"/api/v1/app/{appId}/msg?with_content=false")).ReadObjectAsync(HttpStatusCode.OK);

        Assert.Empty(created["payload"]!.AsObject());
        Assert.Empty(fetched["payload"]!.AsObject());
        Assert.Empty(list["data"]![0]!["payload"]!.AsObject());
        Assert.Equal(42, (int?)(await GetMessageAsync(appId, msgId))["payload"]!["amount"]);
    }

    [Fact]
    public async Task Create_SameEventIdTwice_Returns409AndKeepsOne()
    {
        var appId = await CreateAppAsync();
        await _client.PublishAsync(appId, extra: new JsonObject { ["eventId"] = "evt-1" });

        var again = await _client.PostAsJsonAsync($"/api/v1/app/{appId}/msg", new { eventType = "invoice.paid", eventId = "evt-1", payload = new { } });

        await again.AssertErrorAsync(HttpStatusCode.Conflict, "conflict");
        Assert.Single(await ListIdsAsync(appId));
    }

    [Fact]
    public async Task Create_SameEventIdInAnotherApplication_IsAccepted()
    {
        var appId = await CreateAppAsync();
        var otherId = (string)(await _client.CreateAppAsync("Other", "other"))["id"]!;
        await _client.PublishAsync(appId, extra: new JsonObject { ["eventId"] = "evt-1" });

        var other = await _client.PublishAsync(otherId, extra: new JsonObject { ["eventId"] = "evt-1" });

        Assert.Equal("evt-1", (string?)other["eventId"]);
    }

    [Fact]
    public async Task Get_ByEventId_ReturnsTheMessage()
    {
        var appId = await CreateAppAsync();
        var created = await _client.PublishAsync(appId, extra: new JsonObject { ["eventId"] = "evt-1" });

        var fetched = await GetMessageAsync("acme", "evt-1");

        Assert.Equal((string?)created["id"], (string?)fetched["id"]);
    }

    [Fact]
    public async Task Get_UnknownOrOfAnotherApplication_Returns404()
    {
        var appId = await CreateAppAsync();
        var otherId = (string)(await _client.CreateAppAsync("Other", "other"))["id"]!;
        var other = await _client.PublishAsync(otherId);

        await (await _client.GetAsync($"/api/v1/app/{appId}/msg/{other["id"]}")).AssertErrorAsync(HttpStatusCode.NotFound, "not_found");
        await (await _client.GetAsync($"/api/v1/app/{appId}/msg/no-such-event")).AssertErrorAsync(HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task List_FiltersByEventTypes_CommaJoinedOrRepeated()
    {
        var appId = await CreateAppAsync();
        var paid = (string)(await _client.PublishAsync(appId, "invoice.paid"))["id"]!;
        var failed = (string)(await _client.PublishAsync(appId, "invoice.failed"))["id"]!;
        await _client.PublishAsync(appId, "user.created");

        Assert.Equal([paid], await ListIdsAsync(appId, "?event_types=invoice.paid"));
        Assert.Equal([failed, paid], await ListIdsAsync(appId, "?event_types=invoice.paid,invoice.failed"));
        Assert.Equal([failed, paid], await ListIdsAsync(appId, "?event_types=invoice.paid&event_types=invoice.failed"));
        Assert.Empty(await ListIdsAsync(appId, "?event_types=no.such.type"));
    }

    [Fact]
    public async Task List_FiltersByChannelAndTag()
    {
        var appId = await CreateAppAsync();
        var both = (string)(await _client.PublishAsync(appId, extra: new JsonObject { ["channels"] = new JsonArray("project:1"), ["tags"] = new JsonArray("vip") }))["id"]!;
        var channelOnly = (string)(await _client.PublishAsync(appId, extra: new JsonObject { ["channels"] = new JsonArray("project:1", "billing") }))["id"]!;
        var tagOnly = (string)(await _client.PublishAsync(appId, extra: new JsonObject { ["tags"] = new JsonArray("eu", "vip") }))["id"]!;
        await _client.PublishAsync(appId);

        Assert.Equal([channelOnly, both], await ListIdsAsync(appId, "?channel=project:1"));
        Assert.Equal([channelOnly], await ListIdsAsync(appId, "?channel=billing"));
        Assert.Equal([tagOnly, both], await ListIdsAsync(appId, "?tag=vip"));
        Assert.Equal([both], await ListIdsAsync(appId, "?channel=project:1&tag=vip"));
    }

    [Fact]
    public async Task List_FiltersByBeforeAndAfter()
    {
        var appId = await CreateAppAsync();
        var ids = new List<string>();
        for (var hour = 0; hour < 3; hour++)
        {
            ids.Add((string)(await _client.PublishAsync(appId))["id"]!);
            _clock.Advance(TimeSpan.FromHours(1));
        }

        // Published at 09:00, 10:00 and 11:00.
        Assert.Equal([ids[0]], await ListIdsAsync(appId, "?before=2030-03-01T09:30:00Z"));
        Assert.Equal([ids[2], ids[1]], await ListIdsAsync(appId, "?after=2030-03-01T09:30:00Z"));
        Assert.Equal([ids[1]], await ListIdsAsync(appId, "?after=2030-03-01T09:30:00Z&before=2030-03-01T10:30:00Z"));
        Assert.Equal([ids[1]], await ListIdsAsync(appId, "?after=2030-03-01T12:30:00%2B03:00&before=2030-03-01T10:30:00Z"));
    }

    [Theory]
    [InlineData("before=yesterday")]
    [InlineData("after=31/02/2030")]
    public async Task List_InvalidDate_Returns422(string query)
    {
        var appId = await CreateAppAsync();

        var error = await (await _client.GetAsync($"/api/v1/app/{appId}/msg?{query}")).AssertErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_error");

        Assert.Equal(["query", query[..query.IndexOf('=')]], Loc(error));
    }

    [Fact]
    public async Task ExpungeContent_Returns204AndPayloadIsEmptyAfterwards()
    {
        var appId = await CreateAppAsync();
        var created = await _client.PublishAsync(appId, extra: new JsonObject { ["eventId"] = "evt-1" });
        var msgId = (string)created["id"]!;

        var expunged = await _client.DeleteAsync($"/api/v1/app/{appId}/msg/{msgId}/content");

        Assert.Equal(HttpStatusCode.NoContent, expunged.StatusCode);
        var fetched = await GetMessageAsync(appId, msgId, "?with_content=true");
        Assert.Empty(fetched["payload"]!.AsObject());
        Assert.Equal("invoice.paid", (string?)fetched["eventType"]);
        Assert.Equal("evt-1", (string?)fetched["eventId"]);
    }

    [Fact]
    public async Task ExpungeContent_UnknownMessage_Returns404()
    {
        var appId = await CreateAppAsync();

        await (await _client.DeleteAsync($"/api/v1/app/{appId}/msg/msg_0000000000000000000000/content")).AssertErrorAsync(HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task Create_WithApplicationForUnknownUid_CreatesTheApplication()
    {
        var created = await (await _client.PostAsJsonAsync("/api/v1/app/new-customer/msg", new
        {
            eventType = "invoice.paid",
            payload = new { amount = 1 },
            application = new { name = "New Customer" },
        })).ReadObjectAsync(HttpStatusCode.Accepted);

        var app = await (await _client.GetAsync("/api/v1/app/new-customer")).ReadObjectAsync(HttpStatusCode.OK);
        Assert.Equal("New Customer", (string?)app["name"]);
        Assert.Equal([(string)created["id"]!], await ListIdsAsync("new-customer"));
    }

    [Fact]
    public async Task Create_WithApplicationForExistingUid_PublishesIntoIt()
    {
        var appId = await CreateAppAsync();

        var created = await (await _client.PostAsJsonAsync("/api/v1/app/acme/msg", new
        {
            eventType = "invoice.paid",
            payload = new { amount = 1 },
            application = new { name = "Ignored" },
        })).ReadObjectAsync(HttpStatusCode.Accepted);

        Assert.Equal([(string)created["id"]!], await ListIdsAsync(appId));
        Assert.Equal("Acme", (string?)(await (await _client.GetAsync("/api/v1/app/acme")).ReadObjectAsync(HttpStatusCode.OK))["name"]);
    }

    [Fact]
    public async Task Create_ForUnknownApplicationWithoutApplicationField_Returns404()
    {
        var response = await _client.PostAsJsonAsync("/api/v1/app/new-customer/msg", new { eventType = "invoice.paid", payload = new { amount = 1 } });

        await response.AssertErrorAsync(HttpStatusCode.NotFound, "not_found");
        await (await _client.GetAsync("/api/v1/app/new-customer")).AssertErrorAsync(HttpStatusCode.NotFound, "not_found");
    }

    [Theory]
    [InlineData("""{"eventType": "invoice.paid"}""")]
    [InlineData("""{"eventType": "invoice.paid", "payload": [1, 2]}""")]
    [InlineData("""{"eventType": "invoice.paid", "payload": "x"}""")]
    [InlineData("""{"eventType": "invoice.paid", "payload": null}""")]
    [InlineData("""{"eventType": "invoice.paid", "payload": 5}""")]
    public async Task Create_PayloadMissingOrNotAnObject_Returns422(string body)
    {
        var appId = await CreateAppAsync();

        var error = await (await _client.PostJsonAsync($"/api/v1/app/{appId}/msg", body)).AssertErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_error");

        Assert.Equal(["body", "payload"], Loc(error));
        Assert.Empty(await ListIdsAsync(appId));
    }

    [Theory]
    [InlineData("""{"payload": {}}""")]
    [InlineData("""{"eventType": "", "payload": {}}""")]
    [InlineData("""{"eventType": "has space", "payload": {}}""")]
    public async Task Create_EventTypeMissingOrInvalid_Returns422(string body)
    {
        var appId = await CreateAppAsync();

        var error = await (await _client.PostJsonAsync($"/api/v1/app/{appId}/msg", body)).AssertErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_error");

        Assert.Equal(["body", "eventType"], Loc(error));
    }

    [Fact]
    public async Task Create_MoreThan5Tags_Returns422()
    {
        var appId = await CreateAppAsync();
        var fiveTags = new JsonObject { ["tags"] = new JsonArray("a", "b", "c", "d", "e") };

        var six = await _client.PostAsJsonAsync($"/api/v1/app/{appId}/msg", new { eventType = "invoice.paid", payload = new { }, tags = new[] { "a", "b", "c", "d", "e", "f" } });

        var error = await six.AssertErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_error");
        Assert.Equal(["body", "tags"], Loc(error));
        Assert.Equal(5, (await _client.PublishAsync(appId, extra: fiveTags))["tags"]!.AsArray().Count);
    }

    [Fact]
    public async Task Create_ArchivedEventType_Returns422EventTypeArchived()
    {
        var appId = await CreateAppAsync();
        await _client.CreateEventTypeAsync("invoice.paid");
        (await _client.DeleteAsync("/api/v1/event-type/invoice.paid")).EnsureSuccessStatusCode();

        var response = await _client.PostAsJsonAsync($"/api/v1/app/{appId}/msg", new { eventType = "invoice.paid", payload = new { } });

        var error = await response.AssertErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_error");
        Assert.Equal("event_type_archived", (string?)error["detail"]![0]!["type"]);
        Assert.Equal(["body", "eventType"], Loc(error));
        Assert.Empty(await ListIdsAsync(appId));
    }
}
