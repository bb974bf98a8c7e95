using Herald.Server.Endpoints;
using Herald.Server.Storage;
using Herald.Server.Tests.Delivery;
using Herald.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using StandardWebhooks;

namespace Herald.Server.Tests.Endpoints;

/// <summary>
/// Endpoint ownership verification against real receivers: the CloudEvents handshake (OPTIONS), its callback variant,
/// the signed ping; deliveries held until verified, and the give-up policy on a fake clock.
/// </summary>
public sealed class EndpointVerificationTests : IAsyncLifetime
{
    private WebhookReceiver _receiver = null!;

    public async Task InitializeAsync() => _receiver = await WebhookReceiver.StartAsync();

    public async Task DisposeAsync() => await _receiver.DisposeAsync();

    private static bool IsHandshake(ReceivedWebhook r) => r.Headers.ContainsKey("webhook-request-origin");

    private static bool IsPing(ReceivedWebhook r) => r.Body.Length > 0 && JsonNode.Parse(r.Body) is JsonObject o && (string?)o["type"] == "endpoint.verification";

    private static bool IsMessage(ReceivedWebhook r) => r.Path == "/webhook" && r.Id.StartsWith("msg_", StringComparison.Ordinal) && !IsPing(r);

    /// <summary>Answers handshakes by <paramref name="handshake"/>, everything else with 200.</summary>
    private static Func<ReceivedWebhook, HttpContext, Task> OnHandshake(Func<ReceivedWebhook, HttpContext, Task> handshake) => (r, context) =>
    {
        if (IsHandshake(r))
        {
            return handshake(r, context);
        }

        context.Response.StatusCode = 200;
        return Task.CompletedTask;
    };

    private static async Task<JsonObject> VerificationAsync(HttpClient client, string endpointId) =>
        (await client.GetEndpointAsync("acme", endpointId))["verification"]!.AsObject();

    private static Task WaitForStatusAsync(HttpClient client, string endpointId, string status) =>
        DeliveryTestKit.EventuallyAsync(async () => (string?)(await VerificationAsync(client, endpointId))["status"] == status, $"the verification is {status}");

    [Fact]
    public async Task Handshake_UntilTheReceiverAllowsTheOrigin_HoldsMessages_ThenReleasesThem()
    {
        using var herald = DeliveryTestKit.LoopbackHerald().With("Herald:Delivery:VerificationOrigin", "herald.test");
        var client = herald.CreateAdminClient();
        await client.CreateAppAsync("Acme", "acme");
        _receiver.Respond = OnHandshake(DeliveryTestKit.Always(200, ("WebHook-Allowed-Origin", "someone-else.example")));
        var endpoint = await client.CreateEndpointAsync("acme", _receiver.Url(), new JsonObject { ["verificationMethod"] = "handshake", ["throttleRate"] = 5 });
        var endpointId = (string)endpoint["id"]!;
        Assert.Equal("pending", (string?)endpoint["verification"]!["status"]);
        Assert.Equal("handshake", (string?)endpoint["verification"]!["method"]);

        var handshake = Assert.Single(await _receiver.WaitForAsync(1, IsHandshake));
        Assert.Equal("herald.test", handshake.Headers["webhook-request-origin"]);
        Assert.Equal("300", handshake.Headers["webhook-request-rate"]); // 5 per second, as the spec's per minute
        Assert.False(handshake.Headers.ContainsKey("webhook-request-callback"), "no callback without Herald:Api:PublicUrl");
        await DeliveryTestKit.EventuallyAsync(
            async () => ((string?)(await VerificationAsync(client, endpointId))["lastError"])?.Contains("someone-else.example", StringComparison.Ordinal) == true,
            "the refusal is reported");

        var message = await client.PublishAsync("acme");
        var messageId = (string)message["id"]!;
        await DeliveryTestKit.EventuallyAsync(async () => (await client.DestinationAsync("acme", messageId, endpointId))["nextAttempt"] is null, "the delivery is held");
        Assert.Equal(1, (int)(await client.DestinationAsync("acme", messageId, endpointId))["status"]!); // pending, not failed
        Assert.DoesNotContain(_receiver.Received, IsMessage);

        _receiver.Respond = OnHandshake(DeliveryTestKit.Always(200, ("WebHook-Allowed-Origin", "*"), ("WebHook-Allowed-Rate", "120")));
        var rerun = await (await client.PostAsync($"/api/v1/app/acme/endpoint/{endpointId}/verify", null)).ReadObjectAsync(HttpStatusCode.Accepted);
        Assert.Equal("pending", (string?)rerun["verification"]!["status"]);

        await WaitForStatusAsync(client, endpointId, "verified");
        var verification = await VerificationAsync(client, endpointId);
        Assert.Equal(120, (int?)verification["allowedRate"]);
        Assert.NotNull(verification["verifiedAt"]);
        Assert.Null(verification["lastError"]);
        var delivered = await _receiver.WaitForAsync(1, IsMessage);
        Assert.Equal(messageId, Assert.Single(delivered).Id);
    }

    [Fact]
    public async Task HandshakeAllowedRate_ReceiverGrants60AMinute_SendsAtMostOneASecond()
    {
        using var herald = DeliveryTestKit.LoopbackHerald();
        var client = herald.CreateAdminClient();
        await client.CreateAppAsync("Acme", "acme");
        _receiver.Respond = OnHandshake(DeliveryTestKit.Always(200, ("WebHook-Allowed-Origin", "*"), ("WebHook-Allowed-Rate", "60")));
        var endpointId = (string)(await client.CreateEndpointAsync("acme", _receiver.Url(), new JsonObject { ["verificationMethod"] = "handshake" }))["id"]!;
        await WaitForStatusAsync(client, endpointId, "verified");

        for (var i = 0; i < 4; i++)
        {
            await client.PublishAsync("acme");
        }

        // 60 a minute is one a second, with a burst of one: the 4 arrive over at least 3 refills. Unlimited, they would
        // all arrive at once (the same endpoint without the grant: EndpointLimitsTests).
        var arrivals = (await _receiver.WaitForAsync(4, IsMessage, TimeSpan.FromMinutes(1))).Select(r => r.ReceivedAt).Order().ToList();
        Assert.True(arrivals[^1] - arrivals[0] >= TimeSpan.FromSeconds(2.5), $"4 webhooks at 60 a minute arrived within {arrivals[^1] - arrivals[0]}.");
        Assert.Equal(60, (int?)(await VerificationAsync(client, endpointId))["allowedRate"]);
    }

    [Fact]
    public async Task GiveUp_OfARoundTheCallbackVerifiedMeanwhile_ChangesNothing()
    {
        using var herald = DeliveryTestKit.LoopbackHerald().With("Herald:Api:PublicUrl", "https://herald.example/");
        var client = herald.CreateAdminClient();
        var appId = (string)(await client.CreateAppAsync("Acme", "acme"))["id"]!;
        _receiver.Respond = OnHandshake(DeliveryTestKit.Always(200)); // it will call back
        var endpointId = (string)(await client.CreateEndpointAsync("acme", _receiver.Url(), new JsonObject { ["verificationMethod"] = "handshake" }))["id"]!;
        var callback = new Uri(Assert.Single(await _receiver.WaitForAsync(1, IsHandshake)).Headers["webhook-request-callback"]);
        await DeliveryTestKit.EventuallyAsync(async () => (bool?)(await VerificationAsync(client, endpointId))["awaitingCallback"] == true, "the callback is awaited");
        var store = herald.Services.GetRequiredService<IHeraldStore>();
        var round = (await store.GetEndpointAsync(appId, endpointId, CancellationToken.None))!.Verification!; // as the verifier read it

        using var anonymous = herald.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync(callback.PathAndQuery)).StatusCode);
        // The verifier, late, gives up on the round it read: the callback's verdict stands.
        var gaveUp = await store.GiveUpEndpointVerificationAsync(
            endpointId, round with { Status = VerificationStatus.Failed }, DateTimeOffset.UtcNow, CancellationToken.None);

        Assert.Null(gaveUp);
        var endpoint = await client.GetEndpointAsync("acme", endpointId);
        Assert.Equal("verified", (string?)endpoint["verification"]!["status"]);
        Assert.False((bool)endpoint["disabled"]!);
    }

    [Fact]
    public async Task HandshakeCallback_ReceiverCallsTheUrlLater_VerifiesOnce()
    {
        using var herald = DeliveryTestKit.LoopbackHerald().With("Herald:Api:PublicUrl", "https://herald.example/");
        var client = herald.CreateAdminClient();
        await client.CreateAppAsync("Acme", "acme");
        _receiver.Respond = OnHandshake(DeliveryTestKit.Always(200)); // no WebHook-Allowed-Origin: it will call back
        var endpointId = (string)(await client.CreateEndpointAsync("acme", _receiver.Url(), new JsonObject { ["verificationMethod"] = "handshake" }))["id"]!;
        var callback = new Uri(Assert.Single(await _receiver.WaitForAsync(1, IsHandshake)).Headers["webhook-request-callback"]);
        Assert.Equal("herald.example", callback.Host);
        await DeliveryTestKit.EventuallyAsync(async () => (bool?)(await VerificationAsync(client, endpointId))["awaitingCallback"] == true, "the callback is awaited");
        var messageId = (string)(await client.PublishAsync("acme"))["id"]!;

        using var anonymous = herald.CreateClient();
        await (await anonymous.GetAsync(callback.PathAndQuery + "x")).AssertErrorAsync(HttpStatusCode.NotFound, "not_found");
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync(callback.PathAndQuery)).StatusCode);

        Assert.Equal("verified", (string?)(await VerificationAsync(client, endpointId))["status"]);
        Assert.Equal(messageId, Assert.Single(await _receiver.WaitForAsync(1, IsMessage)).Id);
        // One-time: the token is gone with its use.
        await (await anonymous.PostAsync(callback.PathAndQuery, null)).AssertErrorAsync(HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task Ping_ReceiverEchoesTheSignedChallenge_VerifiesAndDelivers()
    {
        using var herald = DeliveryTestKit.LoopbackHerald();
        var client = herald.CreateAdminClient();
        await client.CreateAppAsync("Acme", "acme");
        var echo = false;
        _receiver.Respond = async (r, context) =>
        {
            context.Response.StatusCode = 200;
            if (IsPing(r) && echo)
            {
                var challenge = (string?)JsonNode.Parse(r.Body)!["data"]!["challenge"];
                await context.Response.WriteAsync(new JsonObject { ["challenge"] = challenge }.ToJsonString());
            }
        };
        var endpointId = (string)(await client.CreateEndpointAsync("acme", _receiver.Url(), new JsonObject { ["verificationMethod"] = "ping" }))["id"]!;
        var secret = (string)(await client.GetObjectAsync($"/api/v1/app/acme/endpoint/{endpointId}/secret"))["key"]!;
        var ping = Assert.Single(await _receiver.WaitForAsync(1, IsPing));
        new StandardWebhook(secret).Verify(ping.BodyText, new HeaderDictionary(ping.Headers.ToDictionary(h => h.Key, h => new Microsoft.Extensions.Primitives.StringValues(h.Value))));
        await DeliveryTestKit.EventuallyAsync(
            async () => ((string?)(await VerificationAsync(client, endpointId))["lastError"])?.Contains("without the challenge", StringComparison.Ordinal) == true,
            "a 200 without the challenge is not a verification");
        var messageId = (string)(await client.PublishAsync("acme"))["id"]!;

        echo = true;
        (await client.PostAsync($"/api/v1/app/acme/endpoint/{endpointId}/verify", null)).EnsureSuccessStatusCode();
        await WaitForStatusAsync(client, endpointId, "verified");
        Assert.Equal("ping", (string?)(await VerificationAsync(client, endpointId))["method"]);
        Assert.Equal(messageId, Assert.Single(await _receiver.WaitForAsync(1, IsMessage)).Id);
    }

    [Fact]
    public async Task Handshake_ToAPrivateAddress_IsRefusedByTheAddressGuard()
    {
        using var herald = new HeraldApplication(); // loopback not allowed
        var client = herald.CreateAdminClient();
        await client.CreateAppAsync("Acme", "acme");
        var endpointId = (string)(await client.CreateEndpointAsync("acme", _receiver.Url(), new JsonObject { ["verificationMethod"] = "handshake" }))["id"]!;

        await DeliveryTestKit.EventuallyAsync(async () => (string?)(await VerificationAsync(client, endpointId))["lastError"] is not null, "the check failed");
        Assert.Equal("pending", (string?)(await VerificationAsync(client, endpointId))["status"]);
        Assert.Empty(_receiver.Received);
    }

    [Fact]
    public async Task Unverified_PastTheDeadline_FailsHeldDeliveries_DisablesTheEndpoint_AndTellsTheOperator()
    {
        using var herald = DeliveryTestKit.FakeTimeHerald().With("Herald:Delivery:VerificationGiveUpAfter", "01:00:00");
        var client = herald.CreateAdminClient();
        await client.CreateAppAsync("Acme", "acme");
        await client.CreateOperatorEndpointAsync(_receiver.Url("/ops"), "endpoint.verification.failed", "endpoint.disabled");
        _receiver.Respond = OnHandshake(DeliveryTestKit.Always(405));
        var endpointId = (string)(await client.CreateEndpointAsync("acme", _receiver.Url(), new JsonObject { ["verificationMethod"] = "handshake" }))["id"]!;
        var messageId = (string)(await client.PublishAsync("acme"))["id"]!;
        await DeliveryTestKit.EventuallyAsync(async () => (await client.DestinationAsync("acme", messageId, endpointId))["nextAttempt"] is null, "the delivery is held");
        // The verifier scans every ScanInterval of the fake clock: step it until the check has run.
        await DeliveryTestKit.EventuallyAsync(
            async () =>
            {
                herald.Time!.Advance(TimeSpan.FromSeconds(1));
                return (string?)(await VerificationAsync(client, endpointId))["lastError"] is not null;
            },
            "the handshake failed");
        Assert.Contains(_receiver.Received, IsHandshake);
        Assert.Equal(1, (int)(await client.DestinationAsync("acme", messageId, endpointId))["status"]!);

        herald.Time!.Advance(TimeSpan.FromHours(1));
        await DeliveryTestKit.EventuallyAsync(
            async () =>
            {
                herald.Time.Advance(TimeSpan.FromSeconds(1));
                return (string?)(await VerificationAsync(client, endpointId))["status"] == "failed";
            },
            "the verification is given up");
        Assert.True((bool)(await client.GetEndpointAsync("acme", endpointId))["disabled"]!);
        Assert.Equal(2, (int)(await client.DestinationAsync("acme", messageId, endpointId))["status"]!);
        await _receiver.WaitForAsync(1, r => r.Path == "/ops" && r.IsOperational("endpoint.verification.failed"));
        var failed = Assert.Single(_receiver.Received.Where(r => r.Path == "/ops").Select(r => JsonNode.Parse(r.Body)!.AsObject()),
            o => (string?)o["type"] == "endpoint.verification.failed");
        Assert.Equal(endpointId, (string?)failed["data"]!["endpointId"]);
        Assert.Equal("handshake", (string?)failed["data"]!["method"]);
        await _receiver.WaitForAsync(1, r => r.Path == "/ops" && r.IsOperational("endpoint.disabled"));
        Assert.DoesNotContain(_receiver.Received, IsMessage);
    }

    [Fact]
    public async Task EndpointBody_VerificationMethodIsHonouredOrRefused()
    {
        using var herald = new HeraldApplication().With("Herald:Delivery:RequireEndpointVerification", "Ping");
        var client = herald.CreateAdminClient();
        await client.CreateAppAsync("Acme", "acme");
        const string Route = "/api/v1/app/acme/endpoint";

        var unknown = await (await client.PostJsonAsync(Route, """{"url":"https://example.com/a","verificationMethod":"dns"}""")).AssertErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_error");
        Assert.Contains("verificationMethod", unknown.ToJsonString(), StringComparison.Ordinal);
        var none = await (await client.PostJsonAsync(Route, """{"url":"https://example.com/a","verificationMethod":"none"}""")).AssertErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_error");
        Assert.Contains("verification_required", none.ToJsonString(), StringComparison.Ordinal);

        var required = await client.CreateEndpointAsync("acme", "https://example.com/b");
        Assert.Equal("ping", (string?)required["verification"]!["method"]);
        var chosen = await client.CreateEndpointAsync("acme", "https://example.com/c", new JsonObject { ["verificationMethod"] = "handshake" });
        Assert.Equal("handshake", (string?)chosen["verification"]!["method"]);
        await (await client.SendJsonAsync(HttpMethod.Patch, $"{Route}/{chosen["id"]}", """{"verificationMethod":null}"""))
            .AssertErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_error");
    }

    [Fact]
    public async Task VerificationOff_EndpointHasNoVerification_AndVerifyIs409()
    {
        using var herald = new HeraldApplication();
        var client = herald.CreateAdminClient();
        await client.CreateAppAsync("Acme", "acme");
        var endpoint = await client.CreateEndpointAsync("acme", "https://example.com/a");
        Assert.False(endpoint.ContainsKey("verification"));
        await (await client.PostAsync($"/api/v1/app/acme/endpoint/{endpoint["id"]}/verify", null)).AssertErrorAsync(HttpStatusCode.Conflict, "verification_not_enabled");

        var patched = await (await client.SendJsonAsync(HttpMethod.Patch, $"/api/v1/app/acme/endpoint/{endpoint["id"]}", """{"verificationMethod":"ping"}""")).ReadObjectAsync(HttpStatusCode.OK);
        Assert.Equal("pending", (string?)patched["verification"]!["status"]);
        var off = await (await client.SendJsonAsync(HttpMethod.Patch, $"/api/v1/app/acme/endpoint/{endpoint["id"]}", """{"verificationMethod":"none"}""")).ReadObjectAsync(HttpStatusCode.OK);
        Assert.False(off.ContainsKey("verification"));
    }
}
