using Herald.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using StandardWebhooks;

namespace Herald.Server.Tests.Delivery;

/// <summary>The operator's endpoints for webhooks about Herald itself: admin-only CRUD, operational event types, signed events.</summary>
public sealed class OperationalWebhooksTests : IAsyncLifetime
{
    private const string Route = "/api/v1/operational-webhook/endpoint";
    private readonly HeraldApplication _herald = DeliveryTestKit.LoopbackHerald();
    private WebhookReceiver _receiver = null!;
    private HttpClient _admin = null!;

    public async Task InitializeAsync()
    {
        _receiver = await WebhookReceiver.StartAsync();
        _admin = _herald.CreateAdminClient();
        await _admin.CreateAppAsync("Acme", "acme");
    }

    public async Task DisposeAsync()
    {
        await _receiver.DisposeAsync();
        _herald.Dispose();
    }

    [Fact]
    public async Task OperatorEndpoints_CanBeCreatedListedReadUpdatedRotatedAndDeleted()
    {
        var created = await _admin.CreateOperatorEndpointAsync(_receiver.Url("/ops"), "endpoint.disabled");
        var id = (string)created["id"]!;

        Assert.Contains(await _admin.GetDataAsync(Route), e => (string?)e!["id"] == id);
        Assert.Equal(_receiver.Url("/ops"), (string?)(await _admin.GetObjectAsync($"{Route}/{id}"))["url"]);
        var patched = await (await _admin.SendJsonAsync(HttpMethod.Patch, $"{Route}/{id}", """{"description":"pager"}""")).ReadObjectAsync(HttpStatusCode.OK);
        Assert.Equal("pager", (string?)patched["description"]);
        var secret = (string?)(await _admin.GetObjectAsync($"{Route}/{id}/secret"))["key"];
        Assert.StartsWith("whsec_", secret);
        Assert.Equal(HttpStatusCode.NoContent, (await _admin.PostAsync($"{Route}/{id}/secret/rotate", null)).StatusCode);
        Assert.NotEqual(secret, (string?)(await _admin.GetObjectAsync($"{Route}/{id}/secret"))["key"]);
        Assert.Equal(HttpStatusCode.NoContent, (await _admin.SendJsonAsync(HttpMethod.Put, $"{Route}/{id}/headers", """{"headers":{"X-Team":"ops"}}""")).StatusCode);
        Assert.Equal("ops", (string?)(await _admin.GetObjectAsync($"{Route}/{id}/headers"))["headers"]!["X-Team"]);
        Assert.Equal(HttpStatusCode.NoContent, (await _admin.DeleteAsync($"{Route}/{id}")).StatusCode);
        await (await _admin.GetAsync($"{Route}/{id}")).AssertErrorAsync(HttpStatusCode.NotFound, "not_found");
        // They belong to no application a customer can see.
        Assert.Empty(await _admin.GetDataAsync("/api/v1/app/acme/endpoint"));
    }

    [Fact]
    public async Task WithoutAnEnabledOperatorEndpoint_NoOperationalMessageIsStored()
    {
        var store = _herald.Services.GetRequiredService<Herald.Server.Storage.IHeraldStore>();
        var everything = new Herald.Server.Storage.PageRequest(250, null, Backward: false, Descending: false);
        async Task<int> StoredAsync() =>
            (await store.ListMessagesAsync(Herald.Server.Delivery.OperationalWebhooks.ApplicationId, new Herald.Server.Messages.MessageFilter(), everything, CancellationToken.None)).Items.Count;

        await _admin.CreateEndpointAsync("acme", _receiver.Url("/customer-1")); // endpoint.created, for nobody
        Assert.Equal(0, await StoredAsync());

        await _admin.CreateOperatorEndpointAsync(_receiver.Url("/ops"));
        await _admin.CreateEndpointAsync("acme", _receiver.Url("/customer-2"));
        Assert.Equal(1, await StoredAsync());
    }

    [Fact]
    public async Task ApplicationToken_IsForbiddenFromOperatorEndpoints()
    {
        var portal = await (await _admin.PostJsonAsync("/api/v1/auth/app-portal-access/acme", "{}")).ReadObjectAsync(HttpStatusCode.OK);
        var appClient = _herald.CreateClient((string)portal["token"]!);
        var existing = (string)(await _admin.CreateOperatorEndpointAsync(_receiver.Url("/ops")))["id"]!;

        await (await appClient.GetAsync(Route)).AssertErrorAsync(HttpStatusCode.Forbidden, "forbidden");
        await (await appClient.PostJsonAsync(Route, $$"""{"url":"{{_receiver.Url("/mine")}}"}""")).AssertErrorAsync(HttpStatusCode.Forbidden, "forbidden");
        await (await appClient.GetAsync($"{Route}/{existing}/secret")).AssertErrorAsync(HttpStatusCode.Forbidden, "forbidden");
        await (await appClient.DeleteAsync($"{Route}/{existing}")).AssertErrorAsync(HttpStatusCode.Forbidden, "forbidden");
        Assert.Single(await _admin.GetDataAsync(Route));
    }

    [Theory]
    [InlineData("invoice.paid")]
    [InlineData("endpoint.exploded")]
    public async Task EventTypesFilter_AcceptsOnlyOperationalEventTypes(string eventType)
    {
        await _admin.CreateEventTypeAsync("invoice.paid");

        var response = await _admin.PostAsJsonAsync(Route, new JsonObject { ["url"] = _receiver.Url("/ops"), ["eventTypes"] = new JsonArray("endpoint.created", eventType) });

        var error = await response.AssertErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_error");
        Assert.Contains(eventType, error.ToJsonString(), StringComparison.Ordinal);
        Assert.Empty(await _admin.GetDataAsync(Route));
    }

    [Fact]
    public async Task EndpointChanges_AreSentToTheOperator_SignedWithTheOperatorEndpointsSecret()
    {
        var ops = (string)(await _admin.CreateOperatorEndpointAsync(_receiver.Url("/ops")))["id"]!;
        var secret = (string)(await _admin.GetObjectAsync($"{Route}/{ops}/secret"))["key"]!;
        var appId = (string?)(await _admin.GetObjectAsync("/api/v1/app/acme"))["id"];

        var endpoint = (string)(await _admin.CreateEndpointAsync("acme", "https://example.com/hook"))["id"]!;
        await _receiver.WaitForAsync(1, r => r.IsOperational("endpoint.created"));
        (await _admin.SendJsonAsync(HttpMethod.Patch, $"/api/v1/app/acme/endpoint/{endpoint}", """{"description":"changed"}""")).EnsureSuccessStatusCode();
        await _receiver.WaitForAsync(1, r => r.IsOperational("endpoint.updated"));
        (await _admin.DeleteAsync($"/api/v1/app/acme/endpoint/{endpoint}")).EnsureSuccessStatusCode();
        await _receiver.WaitForAsync(1, r => r.IsOperational("endpoint.deleted"));

        var events = _receiver.Received.Where(r => r.Path == "/ops").ToList();
        Assert.Equal(["endpoint.created", "endpoint.updated", "endpoint.deleted"], events.Select(e => (string?)JsonNode.Parse(e.Body)!["type"]));
        foreach (var webhook in events)
        {
            new StandardWebhook(secret).Verify(webhook.BodyText, new HeaderDictionary(
                webhook.Headers.ToDictionary(h => h.Key, h => new Microsoft.Extensions.Primitives.StringValues(h.Value))));
            var data = JsonNode.Parse(webhook.Body)!["data"]!;
            Assert.Equal(endpoint, (string?)data["endpointId"]);
            Assert.Equal(appId, (string?)data["appId"]);
        }
    }

    [Fact]
    public async Task OperatorEndpointWithAnEventTypesFilter_GetsOnlyThoseEvents()
    {
        await _admin.CreateOperatorEndpointAsync(_receiver.Url("/deleted-only"), "endpoint.deleted");
        await _admin.CreateOperatorEndpointAsync(_receiver.Url("/all"));

        var endpoint = (string)(await _admin.CreateEndpointAsync("acme", "https://example.com/hook"))["id"]!;
        (await _admin.DeleteAsync($"/api/v1/app/acme/endpoint/{endpoint}")).EnsureSuccessStatusCode();

        await _receiver.WaitForAsync(2, r => r.Path == "/all");
        var deletedOnly = await _receiver.WaitForAsync(1, r => r.Path == "/deleted-only");
        Assert.True(deletedOnly.Single().IsOperational("endpoint.deleted"));
    }

    [Fact]
    public async Task ChangesToOperatorEndpoints_AreNotThemselvesReported()
    {
        await _admin.CreateOperatorEndpointAsync(_receiver.Url("/ops"));
        var second = (string)(await _admin.CreateOperatorEndpointAsync(_receiver.Url("/ops2")))["id"]!;
        (await _admin.DeleteAsync($"{Route}/{second}")).EnsureSuccessStatusCode();

        // An app endpoint change afterwards is the first and only event.
        await _admin.CreateEndpointAsync("acme", "https://example.com/hook");

        var received = await _receiver.WaitForAsync(1, r => r.Path == "/ops");
        Assert.True(received.Single().IsOperational("endpoint.created"));
        Assert.Single(_receiver.Received, r => r.Path == "/ops");
        Assert.DoesNotContain(_receiver.Received, r => r.Path == "/ops2");
    }
}
