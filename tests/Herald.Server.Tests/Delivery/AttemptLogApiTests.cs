using Herald.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;

namespace Herald.Server.Tests.Delivery;

/// <summary>The attempt log routes (Svix's message-attempt resource): shapes, filters, destinations and endpoint messages.</summary>
public sealed class AttemptLogApiTests : IAsyncLifetime
{
    // A fake clock that never moves: failed deliveries stay pending with exactly one attempt.
    private readonly HeraldApplication _herald = DeliveryTestKit.FakeTimeHerald(TimeSpan.FromSeconds(5));
    private WebhookReceiver _receiver = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _receiver = await WebhookReceiver.StartAsync();
        _client = _herald.CreateAdminClient();
        await _client.CreateAppAsync("Acme", "acme");
        // Messages whose payload says {"ok":false} fail with 500; the rest succeed with a short body.
        _receiver.Respond = async (webhook, context) =>
        {
            var ok = !webhook.BodyText.Contains("\"ok\":false", StringComparison.Ordinal);
            context.Response.StatusCode = ok ? 200 : 500;
            await context.Response.WriteAsync(ok ? "thanks" : "boom");
        };
    }

    public async Task DisposeAsync()
    {
        await _receiver.DisposeAsync();
        _herald.Dispose();
    }

    [Fact]
    public async Task Destinations_OfMessageThatMatchedNoEndpoint_IsAnEmptyList()
    {
        var message = await _client.PublishAsync("acme");

        var destinations = await _client.GetObjectAsync($"/api/v1/app/acme/msg/{message["id"]}/endpoint");

        Assert.Empty(destinations["data"]!.AsArray());
        Assert.True((bool)destinations["done"]!);
    }

    [Theory]
    [InlineData("")]
    [InlineData("?with_content=false")] // what Svix's SDKs send by default; the computed column once failed with no rows
    [InlineData("?with_content=true")]
    public async Task AttemptsOfMessage_WithoutAttempts_IsAnEmptyList(string query)
    {
        var message = await _client.PublishAsync("acme");

        var attempts = await _client.GetObjectAsync($"/api/v1/app/acme/attempt/msg/{message["id"]}{query}");
        var endpointMessages = await _client.GetObjectAsync($"/api/v1/app/acme/msg{query}");

        Assert.Empty(attempts["data"]!.AsArray());
        Assert.True((bool)attempts["done"]!);
        Assert.Single(endpointMessages["data"]!.AsArray());
    }

    [Fact]
    public async Task EndpointMessages_OfEndpointWithoutMessages_IsAnEmptyList()
    {
        var endpoint = await _client.CreateEndpointAsync("acme", _receiver.Url());

        var messages = await _client.GetObjectAsync($"/api/v1/app/acme/endpoint/{endpoint["id"]}/msg");

        Assert.Empty(messages["data"]!.AsArray());
    }

    [Fact]
    public async Task Attempt_HasTheSvixMessageAttemptShape()
    {
        var endpointId = (string)(await _client.CreateEndpointAsync("acme", _receiver.Url()))["id"]!;
        var messageId = (string)(await _client.PublishAsync("acme"))["id"]!;
        await _client.WaitForAttemptsAsync("acme", messageId, 1);

        var listed = (await _client.GetDataAsync($"/api/v1/app/acme/attempt/endpoint/{endpointId}")).Single()!.AsObject();

        Assert.StartsWith("atmpt_", (string?)listed["id"]);
        Assert.Equal(messageId, (string?)listed["msgId"]);
        Assert.Equal(endpointId, (string?)listed["endpointId"]);
        Assert.Equal(_receiver.Url(), (string?)listed["url"]);
        Assert.Equal("thanks", (string?)listed["response"]);
        Assert.Equal(200, (int)listed["responseStatusCode"]!);
        Assert.Equal(JsonValueKind.Number, listed["responseDurationMs"]!.GetValueKind());
        Assert.Equal(0, (int)listed["status"]!);
        Assert.Equal("success", (string?)listed["statusText"]);
        Assert.Equal(0, (int)listed["triggerType"]!);
        Assert.Equal(_herald.Time!.GetUtcNow(), listed["timestamp"].AsTime());
        var one = await _client.GetObjectAsync($"/api/v1/app/acme/msg/{messageId}/attempt/{listed["id"]}");
        Assert.Equal(listed.ToJsonString(), one.ToJsonString());
        var withMessage = (await _client.GetDataAsync($"/api/v1/app/acme/attempt/endpoint/{endpointId}?with_msg=true")).Single()!;
        Assert.Equal(messageId, (string?)withMessage["msg"]!["id"]);
    }

    [Fact]
    public async Task AttemptLists_FilterByStatusStatusCodeClassEventTypeAndChannel()
    {
        await _client.CreateEventTypeAsync("invoice.paid");
        await _client.CreateEventTypeAsync("invoice.void");
        var endpointId = (string)(await _client.CreateEndpointAsync("acme", _receiver.Url()))["id"]!;
        var good = (string)(await _client.PublishAsync("acme", "invoice.paid", new JsonObject { ["channels"] = new JsonArray("eu") }))["id"]!;
        var bad = (string)(await _client.PublishAsync("acme", "invoice.void", new JsonObject
        {
            ["channels"] = new JsonArray("us"),
            ["payload"] = new JsonObject { ["ok"] = false },
        }))["id"]!;
        await _client.WaitForAttemptsAsync("acme", good, 1);
        await _client.WaitForAttemptsAsync("acme", bad, 1);

        async Task<IEnumerable<string?>> MessagesOf(string query) =>
            (await _client.GetDataAsync($"/api/v1/app/acme/attempt/endpoint/{endpointId}?{query}")).Select(a => (string?)a!["msgId"]);

        Assert.Equal([good], await MessagesOf("status=0"));
        Assert.Equal([bad], await MessagesOf("status=2"));
        Assert.Equal([good], await MessagesOf("status_code_class=200"));
        Assert.Equal([bad], await MessagesOf("status_code_class=500"));
        Assert.Empty(await MessagesOf("status_code_class=0"));
        Assert.Equal([bad], await MessagesOf("event_types=invoice.void"));
        Assert.Equal([good], await MessagesOf("channel=eu"));
        Assert.Equal(new[] { bad, good }.Order(), (await MessagesOf("")).Order());
        Assert.Equal([bad], (await _client.GetDataAsync($"/api/v1/app/acme/attempt/msg/{bad}?status=2")).Select(a => (string?)a!["msgId"]));
        Assert.Empty(await _client.GetDataAsync($"/api/v1/app/acme/attempt/msg/{bad}?status=0"));
        await (await _client.GetAsync($"/api/v1/app/acme/attempt/endpoint/{endpointId}?status=9")).AssertErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_error");
        await (await _client.GetAsync($"/api/v1/app/acme/attempt/endpoint/{endpointId}?status_code_class=250")).AssertErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_error");
    }

    [Fact]
    public async Task ExpungingAnAttemptsContent_DeletesTheStoredResponse_AndKeepsTheAttempt()
    {
        await _client.CreateEndpointAsync("acme", _receiver.Url());
        var messageId = (string)(await _client.PublishAsync("acme"))["id"]!;
        var attemptId = (string)(await _client.WaitForAttemptsAsync("acme", messageId, 1))[0]!["id"]!;

        var expunged = await _client.DeleteAsync($"/api/v1/app/acme/msg/{messageId}/attempt/{attemptId}/content");

        Assert.Equal(HttpStatusCode.NoContent, expunged.StatusCode);
        var attempt = await _client.GetObjectAsync($"/api/v1/app/acme/msg/{messageId}/attempt/{attemptId}");
        Assert.Equal("", (string?)attempt["response"]);
        Assert.Equal(200, (int)attempt["responseStatusCode"]!);
        await (await _client.DeleteAsync($"/api/v1/app/acme/msg/{messageId}/attempt/atmpt_0000000000000000000000/content")).AssertErrorAsync(HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task Destinations_ListEachEndpointWithItsDeliveryStatus()
    {
        var ok = (string)(await _client.CreateEndpointAsync("acme", _receiver.Url("/ok")))["id"]!;
        var failing = (string)(await _client.CreateEndpointAsync("acme", _receiver.Url("/failing")))["id"]!;
        _receiver.Respond = (webhook, context) =>
        {
            context.Response.StatusCode = webhook.Path == "/ok" ? 200 : 500;
            return Task.CompletedTask;
        };
        var messageId = (string)(await _client.PublishAsync("acme"))["id"]!;
        await _client.WaitForAttemptsAsync("acme", messageId, 2);

        var destinations = await _client.GetDataAsync($"/api/v1/app/acme/msg/{messageId}/endpoint");

        var succeeded = destinations.Single(d => (string?)d!["id"] == ok)!;
        var pending = destinations.Single(d => (string?)d!["id"] == failing)!;
        Assert.Equal((0, "success"), ((int)succeeded["status"]!, (string?)succeeded["statusText"]));
        Assert.Null(succeeded["nextAttempt"]);
        Assert.Equal((1, "pending"), ((int)pending["status"]!, (string?)pending["statusText"]));
        Assert.Equal(_herald.Time!.GetUtcNow() + TimeSpan.FromSeconds(5), pending["nextAttempt"].AsTime());
        Assert.Equal(_receiver.Url("/failing"), (string?)pending["url"]);
    }

    [Fact]
    public async Task EndpointMessages_ListWhatWasSentToTheEndpoint_WithStatusAndStatusFilter()
    {
        var endpointId = (string)(await _client.CreateEndpointAsync("acme", _receiver.Url()))["id"]!;
        var good = (string)(await _client.PublishAsync("acme"))["id"]!;
        var bad = (string)(await _client.PublishAsync("acme", "invoice.paid", new JsonObject { ["payload"] = new JsonObject { ["ok"] = false } }))["id"]!;
        await _client.WaitForAttemptsAsync("acme", good, 1);
        await _client.WaitForAttemptsAsync("acme", bad, 1);

        var all = await _client.GetDataAsync($"/api/v1/app/acme/endpoint/{endpointId}/msg");

        Assert.Equal([bad, good], all.Select(m => (string?)m!["id"]));
        Assert.Equal([1, 0], all.Select(m => (int)m!["status"]!));
        Assert.Equal("invoice.paid", (string?)all[1]!["eventType"]);
        Assert.Equal(42, (int)all[1]!["payload"]!["amount"]!);
        Assert.Equal([good], (await _client.GetDataAsync($"/api/v1/app/acme/endpoint/{endpointId}/msg?status=0")).Select(m => (string?)m!["id"]));
        Assert.Equal([bad], (await _client.GetDataAsync($"/api/v1/app/acme/endpoint/{endpointId}/msg?status=1")).Select(m => (string?)m!["id"]));
    }
}
