using System.Security.Cryptography;
using System.Text;
using Herald.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Herald.Receiver;
using StandardWebhooks;
using StandardWebhooks.Diagnostics;

namespace Herald.Server.Tests.Delivery;

/// <summary>What a receiver sees and checks: Standard Webhooks headers and signatures, verified with an independent library.</summary>
public sealed class SignatureTests : IAsyncLifetime
{
    private WebhookReceiver _receiver = null!;

    public async Task InitializeAsync() => _receiver = await WebhookReceiver.StartAsync();

    public async Task DisposeAsync() => await _receiver.DisposeAsync();

    [Fact]
    public async Task ReceivedWebhook_VerifiesWithTheStandardWebhooksLibrary_AndATamperedBodyDoesNot()
    {
        using var herald = DeliveryTestKit.LoopbackHerald();
        var client = herald.CreateAdminClient();
        await client.CreateAppAsync("Acme", "acme");
        var endpoint = await client.CreateEndpointAsync("acme", _receiver.Url());
        var secret = await SecretAsync(client, (string)endpoint["id"]!);

        await client.PublishAsync("acme", "invoice.paid", new JsonObject { ["payload"] = new JsonObject { ["amount"] = 42 } });

        var webhook = Assert.Single(await _receiver.WaitForAsync());
        new StandardWebhook(secret).Verify(webhook.BodyText, Headers(webhook));
        Assert.Throws<WebhookVerificationException>(() => new StandardWebhook(secret).Verify(webhook.BodyText.Replace("42", "43"), Headers(webhook)));
        Assert.Throws<WebhookVerificationException>(() => new StandardWebhook("whsec_" + Convert.ToBase64String(new byte[32])).Verify(webhook.BodyText, Headers(webhook)));
    }

    [Fact]
    public async Task ReceivedWebhook_CarriesTheStandardHeaders_CustomHeaders_AndTheExactPublishedBody()
    {
        using var herald = DeliveryTestKit.LoopbackHerald();
        var client = herald.CreateAdminClient();
        await client.CreateAppAsync("Acme", "acme");
        await client.CreateEndpointAsync("acme", _receiver.Url(), new JsonObject { ["headers"] = new JsonObject { ["X-Tenant"] = "acme-eu" } });
        // Unusual spacing, key order, a number written as 2.50 and an escaped character: none of it may be normalised.
        const string payload = """{ "b":[1, 2.50,"\u00e9t\u00e9"],  "a" : true }""";

        var response = await client.PostJsonAsync("/api/v1/app/acme/msg", $$"""{"eventType":"invoice.paid","payload":{{payload}}}""");
        var message = await response.ReadObjectAsync(HttpStatusCode.Accepted);

        var webhook = Assert.Single(await _receiver.WaitForAsync());
        Assert.Equal((string?)message["id"], webhook.Headers["webhook-id"]);
        Assert.Matches("^[0-9]+$", webhook.Headers["webhook-timestamp"]);
        Assert.StartsWith("v1,", webhook.Headers["webhook-signature"]);
        Assert.Equal("acme-eu", webhook.Headers["x-tenant"]);
        Assert.Equal("application/json", webhook.Headers["content-type"]);
        Assert.Equal($"Herald/{typeof(Program).Assembly.GetName().Version!.ToString(3)}", webhook.Headers["user-agent"]);
        Assert.Matches(@"^Herald/\d+\.\d+\.\d+$", webhook.Headers["user-agent"]);
        Assert.Equal(Encoding.UTF8.GetBytes(payload), webhook.Body);
    }

    [Fact]
    public async Task ByDefault_BothHeaderSetsAreSent_WithTheSameValues_AndEachVerifiesWithHeraldReceiver()
    {
        using var herald = DeliveryTestKit.LoopbackHerald();
        var client = herald.CreateAdminClient();
        await client.CreateAppAsync("Acme", "acme");
        var endpoint = await client.CreateEndpointAsync("acme", _receiver.Url());
        var secret = await SecretAsync(client, (string)endpoint["id"]!);

        var message = await client.PublishAsync("acme");

        var webhook = Assert.Single(await _receiver.WaitForAsync());
        Assert.Equal((string?)message["id"], webhook.Headers["svix-id"]);
        Assert.Equal(webhook.Headers["webhook-id"], webhook.Headers["svix-id"]);
        Assert.Equal(webhook.Headers["webhook-timestamp"], webhook.Headers["svix-timestamp"]);
        Assert.Equal(webhook.Headers["webhook-signature"], webhook.Headers["svix-signature"]);
        // Each set alone verifies: a receiver that reads only svix-*, and one that reads only webhook-*.
        Assert.True(new WebhookVerifier(WebhookScheme.Svix, secret).Verify(webhook.Body, Only(webhook, "svix-")).IsVerified);
        Assert.True(new WebhookVerifier(WebhookScheme.StandardWebhooks, secret).Verify(webhook.Body, Only(webhook, "webhook-")).IsVerified);
        var svix = new WebhookConfigurationOptions { IdHeaderKey = "svix-id", TimestampHeaderKey = "svix-timestamp", SignatureHeaderKey = "svix-signature" };
        new StandardWebhook(secret, svix).Verify(webhook.BodyText, Headers(webhook));
        // And a tampered body fails under both.
        var tampered = Encoding.UTF8.GetBytes(webhook.BodyText.Replace("42", "43", StringComparison.Ordinal));
        Assert.False(new WebhookVerifier(WebhookScheme.Svix, secret).Verify(tampered, Only(webhook, "svix-")).IsVerified);
        Assert.False(new WebhookVerifier(WebhookScheme.StandardWebhooks, secret).Verify(tampered, Only(webhook, "webhook-")).IsVerified);
    }

    [Theory]
    [InlineData("Svix", "svix-", "webhook-")]
    [InlineData("StandardWebhooks", "webhook-", "svix-")]
    public async Task SignatureHeadersOption_SendsOnlyTheChosenSet_WhichVerifies(string option, string sent, string absent)
    {
        using var herald = DeliveryTestKit.LoopbackHerald().With("Herald:Delivery:SignatureHeaders", option);
        var client = herald.CreateAdminClient();
        await client.CreateAppAsync("Acme", "acme");
        var endpoint = await client.CreateEndpointAsync("acme", _receiver.Url());
        var secret = await SecretAsync(client, (string)endpoint["id"]!);

        var message = await client.PublishAsync("acme");

        var webhook = Assert.Single(await _receiver.WaitForAsync());
        Assert.Equal((string?)message["id"], webhook.Headers[sent + "id"]);
        Assert.DoesNotContain(webhook.Headers.Keys, k => k.StartsWith(absent, StringComparison.Ordinal));
        var scheme = sent == "svix-" ? WebhookScheme.Svix : WebhookScheme.StandardWebhooks;
        Assert.True(new WebhookVerifier(scheme, secret).Verify(webhook.Body, webhook.Headers).IsVerified);
    }

    [Fact]
    public async Task AfterRotation_BothKeysSign_NewestFirst_AndEachVerifies()
    {
        using var herald = DeliveryTestKit.LoopbackHerald();
        var client = herald.CreateAdminClient();
        await client.CreateAppAsync("Acme", "acme");
        var endpointId = (string)(await client.CreateEndpointAsync("acme", _receiver.Url()))["id"]!;
        var oldSecret = await SecretAsync(client, endpointId);
        (await client.PostAsync($"/api/v1/app/acme/endpoint/{endpointId}/secret/rotate", null)).EnsureSuccessStatusCode();
        var newSecret = await SecretAsync(client, endpointId);
        Assert.NotEqual(oldSecret, newSecret);

        await client.PublishAsync("acme");

        var webhook = Assert.Single(await _receiver.WaitForAsync());
        var signatures = webhook.Headers["webhook-signature"].Split(' ');
        Assert.Equal(2, signatures.Length);
        Assert.True(SignatureCheck.Matches(newSecret, webhook, signatures[0]), "the first signature is the new key's");
        Assert.True(SignatureCheck.Matches(oldSecret, webhook, signatures[1]), "the second signature is the old key's");
        // A receiver that already switched to the new key verifies with the library, whatever it does with later entries.
        new StandardWebhook(newSecret).Verify(webhook.BodyText, Headers(webhook));
    }

    [Fact]
    public async Task AfterTheGracePeriod_OnlyTheNewKeySigns()
    {
        using var herald = DeliveryTestKit.FakeTimeHerald();
        var client = herald.CreateAdminClient();
        await client.CreateAppAsync("Acme", "acme");
        var endpointId = (string)(await client.CreateEndpointAsync("acme", _receiver.Url()))["id"]!;
        var oldSecret = await SecretAsync(client, endpointId);
        (await client.PostJsonAsync($"/api/v1/app/acme/endpoint/{endpointId}/secret/rotate", """{"gracePeriodSeconds":3600}""")).EnsureSuccessStatusCode();
        var newSecret = await SecretAsync(client, endpointId);

        herald.Time!.Advance(TimeSpan.FromMinutes(59));
        var first = await client.PublishAsync("acme");
        var during = Assert.Single(await _receiver.WaitForAsync());
        Assert.Equal(2, during.Headers["webhook-signature"].Split(' ').Length);
        // Until its outcome is recorded the send is in flight, and two minutes more on the fake clock would time it out.
        await client.WaitForAttemptsAsync("acme", (string)first["id"]!, 1);

        herald.Time.Advance(TimeSpan.FromMinutes(2));
        await client.PublishAsync("acme");
        var after = (await _receiver.WaitForAsync(2))[1];
        var signature = Assert.Single(after.Headers["webhook-signature"].Split(' '));
        Assert.True(SignatureCheck.Matches(newSecret, after, signature));
        Assert.False(SignatureCheck.Matches(oldSecret, after, signature));
        Assert.Equal(newSecret, await SecretAsync(client, endpointId));
    }

    [Fact]
    public async Task Retry_CarriesTheSameWebhookId_AndANewlySignedTimestamp()
    {
        using var herald = DeliveryTestKit.FakeTimeHerald(TimeSpan.FromSeconds(5));
        var client = herald.CreateAdminClient();
        await client.CreateAppAsync("Acme", "acme");
        var endpointId = (string)(await client.CreateEndpointAsync("acme", _receiver.Url()))["id"]!;
        var secret = await SecretAsync(client, endpointId);
        var failures = 1;
        _receiver.Respond = (_, context) =>
        {
            context.Response.StatusCode = Interlocked.Decrement(ref failures) >= 0 ? 500 : 200;
            return Task.CompletedTask;
        };
        var start = herald.Time!.GetUtcNow();
        var message = await client.PublishAsync("acme");
        await client.WaitForAttemptsAsync("acme", (string)message["id"]!, 1);

        herald.Time.Advance(TimeSpan.FromSeconds(7));

        var received = await _receiver.WaitForAsync(2);
        Assert.All(received, r => Assert.Equal((string?)message["id"], r.Id));
        Assert.Equal(start.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture), received[0].Headers["webhook-timestamp"]);
        Assert.Equal((start + TimeSpan.FromSeconds(7)).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture), received[1].Headers["webhook-timestamp"]);
        Assert.All(received, r => Assert.True(SignatureCheck.Matches(secret, r, r.Headers["webhook-signature"])));
    }

    private static async Task<string> SecretAsync(HttpClient client, string endpointId) =>
        (string)(await client.GetObjectAsync($"/api/v1/app/acme/endpoint/{endpointId}/secret"))["key"]!;

    /// <summary>The webhook's headers of one set only, as a receiver that knows only those names would see them.</summary>
    private static Dictionary<string, string> Only(ReceivedWebhook webhook, string prefix) =>
        webhook.Headers.Where(h => !(h.Key.StartsWith("svix-", StringComparison.Ordinal) || h.Key.StartsWith("webhook-", StringComparison.Ordinal))
            || h.Key.StartsWith(prefix, StringComparison.Ordinal)).ToDictionary(h => h.Key, h => h.Value);

    private static HeaderDictionary Headers(ReceivedWebhook webhook) =>
        new(webhook.Headers.ToDictionary(h => h.Key, h => new Microsoft.Extensions.Primitives.StringValues(h.Value)));
}

/// <summary>The Standard Webhooks check written out, independent of Herald's signer: base64 HMAC-SHA256 of id.timestamp.body.</summary>
internal static class SignatureCheck
{
    public static bool Matches(string secret, ReceivedWebhook webhook, string signature)
    {
        var key = Convert.FromBase64String(secret["whsec_".Length..]);
        var signed = Encoding.UTF8.GetBytes($"{webhook.Id}.{webhook.Headers.GetValueOrDefault("webhook-timestamp") ?? webhook.Headers["svix-timestamp"]}.").Concat(webhook.Body).ToArray();
        return signature == "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, signed));
    }
}
