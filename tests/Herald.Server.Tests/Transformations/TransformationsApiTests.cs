using Herald.Server.Tests.Delivery;
using Herald.Server.Tests.Infrastructure;

namespace Herald.Server.Tests.Transformations;

/// <summary>GET/PATCH <c>…/endpoint/{id}/transformation</c>, simulate, and what an enabled transformation does to real attempts.</summary>
public sealed class TransformationsApiTests : IAsyncLifetime
{
    private readonly HeraldApplication _herald = DeliveryTestKit.LoopbackHerald();
    private HttpClient _admin = null!;
    private WebhookReceiver _receiver = null!;
    private string _appId = "";

    public async Task InitializeAsync()
    {
        _admin = _herald.CreateAdminClient();
        _receiver = await WebhookReceiver.StartAsync();
        _appId = (string)(await _admin.CreateAppAsync())["id"]!;
    }

    public async Task DisposeAsync()
    {
        await _receiver.DisposeAsync();
        _herald.Dispose();
    }

    private async Task<string> EndpointWithTransformationAsync(string code)
    {
        var endpoint = await _admin.CreateEndpointAsync(_appId, _receiver.Url());
        var id = (string)endpoint["id"]!;
        var patch = new JsonObject { ["code"] = code, ["enabled"] = true };
        var response = await _admin.SendJsonAsync(HttpMethod.Patch, $"/api/v1/app/{_appId}/endpoint/{id}/transformation", patch.ToJsonString());
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        return id;
    }

    [Fact]
    public async Task GetTransformation_NeverSet_ReturnsDisabledWithoutCode()
    {
        var endpoint = await _admin.CreateEndpointAsync(_appId);

        var body = await _admin.GetObjectAsync($"/api/v1/app/{_appId}/endpoint/{endpoint["id"]}/transformation");

        Assert.Null(body["code"]);
        Assert.False((bool)body["enabled"]!);
    }

    [Fact]
    public async Task PatchTransformation_ThenGet_ReturnsCodeAndEnabled()
    {
        var id = await EndpointWithTransformationAsync("function handler(webhook) { return webhook; }");

        var body = await _admin.GetObjectAsync($"/api/v1/app/{_appId}/endpoint/{id}/transformation");

        Assert.Equal("function handler(webhook) { return webhook; }", (string?)body["code"]);
        Assert.True((bool)body["enabled"]!);
        Assert.NotNull(body["updatedAt"]);
        // Changing the endpoint itself leaves its transformation alone.
        await (await _admin.SendJsonAsync(HttpMethod.Patch, $"/api/v1/app/{_appId}/endpoint/{id}", """{"description": "changed"}""")).ReadObjectAsync(HttpStatusCode.OK);
        Assert.True((bool)(await _admin.GetObjectAsync($"/api/v1/app/{_appId}/endpoint/{id}/transformation"))["enabled"]!);
    }

    [Fact]
    public async Task PatchTransformation_SyntaxError_Returns422()
    {
        var endpoint = await _admin.CreateEndpointAsync(_appId);

        var response = await _admin.SendJsonAsync(HttpMethod.Patch, $"/api/v1/app/{_appId}/endpoint/{endpoint["id"]}/transformation",
            """{"code": "function handler(webhook) { return webhook", "enabled": true}""");

        var body = await response.AssertErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_error");
        Assert.Equal("invalid_javascript", (string?)body["detail"]![0]!["type"]);
    }

    [Fact]
    public async Task Delivery_EnabledTransformation_SendsWhatTheHandlerReturned()
    {
        // The receiver records a webhook before it calls Respond: the method arrives through its own task, not a field
        // read after WaitForAsync (which can return before Respond ran).
        var method = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        _receiver.Respond = (_, context) =>
        {
            method.TrySetResult(context.Request.Method);
            return Task.CompletedTask;
        };
        await EndpointWithTransformationAsync("""
            function handler(webhook) {
              webhook.url = webhook.url + '/' + webhook.eventType;
              webhook.method = 'PUT';
              webhook.payload = { cents: webhook.payload.amount * 100 };
              webhook.headers['x-transformed'] = 'yes';
              return webhook;
            }
            """);

        var message = await _admin.PublishAsync(_appId);

        var received = Assert.Single(await _receiver.WaitForAsync());
        Assert.Equal("/webhook/invoice.paid", received.Path);
        // The attempt log says where the webhook really went, not the endpoint's own URL.
        var attempt = (await _admin.WaitForAttemptsAsync(_appId, (string)message["id"]!, 1))[0]!;
        Assert.Equal(_receiver.Url() + "/invoice.paid", (string?)attempt["url"]);
        Assert.Equal("PUT", await method.Task.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal("""{"cents":4200}""", received.BodyText);
        Assert.Equal("yes", received.Headers["x-transformed"]);
        Assert.False(string.IsNullOrEmpty(received.Headers["webhook-signature"]));
    }

    [Fact]
    public async Task Delivery_TransformationThrows_RecordsAFailedAttemptWithTheScriptError()
    {
        var endpointId = await EndpointWithTransformationAsync("function handler(webhook) { throw new Error('no invoices today'); }");

        var message = await _admin.PublishAsync(_appId);

        var attempt = (await _admin.WaitForAttemptsAsync(_appId, (string)message["id"]!, 1, endpointId))[0]!;
        Assert.Equal(2, (int)attempt["status"]!); // failed
        Assert.Contains("no invoices today", (string?)attempt["error"], StringComparison.Ordinal);
        Assert.Empty(_receiver.Received);
    }

    [Fact]
    public async Task Delivery_TransformationCancels_RecordsASucceededAttemptAndSendsNothing()
    {
        var endpointId = await EndpointWithTransformationAsync("function handler(webhook) { webhook.cancel = true; return webhook; }");

        var message = await _admin.PublishAsync(_appId);

        var attempt = (await _admin.WaitForAttemptsAsync(_appId, (string)message["id"]!, 1, endpointId))[0]!;
        Assert.Equal(0, (int)attempt["status"]!); // success
        Assert.Contains("canceled", (string?)attempt["response"], StringComparison.Ordinal);
        Assert.Empty(_receiver.Received);
    }

    [Fact]
    public async Task Simulate_ReturnsTheRequestWithoutSending()
    {
        var endpoint = await _admin.CreateEndpointAsync(_appId, _receiver.Url());

        var body = await (await _admin.PostJsonAsync($"/api/v1/app/{_appId}/endpoint/{endpoint["id"]}/transformation/simulate", """
            {"code": "function handler(webhook) { webhook.payload.seen = true; webhook.method = 'PATCH'; return webhook; }",
             "eventType": "invoice.paid", "payload": {"amount": 1}}
            """)).ReadObjectAsync(HttpStatusCode.OK);

        Assert.Equal(_receiver.Url(), (string?)body["url"]);
        Assert.Equal("PATCH", (string?)body["method"]);
        Assert.Equal("""{"amount":1,"seen":true}""", (string?)body["payload"]);
        Assert.False((bool)body["cancel"]!);
        Assert.Empty(_receiver.Received);
    }

    [Fact]
    public async Task Simulate_InfiniteLoop_Returns422NamingTheLimit()
    {
        var endpoint = await _admin.CreateEndpointAsync(_appId);

        var response = await _admin.PostJsonAsync($"/api/v1/app/{_appId}/endpoint/{endpoint["id"]}/transformation/simulate",
            """{"code": "function handler(webhook) { while (true) {} }", "eventType": "invoice.paid", "payload": {}}""");

        var body = await response.AssertErrorAsync(HttpStatusCode.UnprocessableEntity, "transformation_failed");
        Assert.Contains("limit", (string?)body["detail"]![0]!["msg"], StringComparison.Ordinal);
    }
}
