using Herald.Server.Tests.Infrastructure;

namespace Herald.Server.Tests.Delivery;

/// <summary>
/// The send path may keep an endpoint and its secrets in memory (SQLite's store does), so every change to them must
/// reach the very next send: each test first sends once, so the endpoint is read and kept, then changes it through the
/// API and sends again.
/// </summary>
public sealed class SendPathFreshnessTests : IAsyncLifetime
{
    private readonly HeraldApplication _herald = DeliveryTestKit.LoopbackHerald();
    private WebhookReceiver _receiver = null!;
    private HttpClient _client = null!;
    private string _endpointId = null!;

    public async Task InitializeAsync()
    {
        _receiver = await WebhookReceiver.StartAsync();
        _client = _herald.CreateAdminClient();
        await _client.CreateAppAsync("Acme", "acme");
        _endpointId = (string)(await _client.CreateEndpointAsync("acme", _receiver.Url("/first")))["id"]!;
        await _client.PublishAsync("acme");
        Assert.Equal("/first", Assert.Single(await _receiver.WaitForAsync()).Path);
    }

    public async Task DisposeAsync()
    {
        _herald.Dispose();
        await _receiver.DisposeAsync();
    }

    [Fact]
    public async Task NextSend_AfterTheUrlAndHeadersChanged_UsesTheNewOnes()
    {
        (await _client.PatchAsJsonAsync($"/api/v1/app/acme/endpoint/{_endpointId}", new { url = _receiver.Url("/second") })).EnsureSuccessStatusCode();
        (await _client.PutAsJsonAsync($"/api/v1/app/acme/endpoint/{_endpointId}/headers", new { headers = new Dictionary<string, string> { ["X-Version"] = "2" } }))
            .EnsureSuccessStatusCode();

        await _client.PublishAsync("acme");

        var webhook = (await _receiver.WaitForAsync(2))[1];
        Assert.Equal("/second", webhook.Path);
        Assert.Equal("2", webhook.Headers["x-version"]);
    }

    [Fact]
    public async Task NextSend_AfterASecretRotation_IsSignedWithTheNewKeyFirst()
    {
        var oldSecret = await SecretAsync();
        (await _client.PostAsync($"/api/v1/app/acme/endpoint/{_endpointId}/secret/rotate", null)).EnsureSuccessStatusCode();
        var newSecret = await SecretAsync();

        await _client.PublishAsync("acme");

        var webhook = (await _receiver.WaitForAsync(2))[1];
        var signatures = webhook.Headers["webhook-signature"].Split(' ');
        Assert.Equal(2, signatures.Length);
        Assert.True(SignatureCheck.Matches(newSecret, webhook, signatures[0]), "the first signature is the new key's");
        Assert.True(SignatureCheck.Matches(oldSecret, webhook, signatures[1]), "the second signature is the old key's");
    }

    [Fact]
    public async Task Messages_WhileTheEndpointIsDisabled_AreNotSent_AndTheFirstAfterEnablingIs()
    {
        (await _client.PatchAsJsonAsync($"/api/v1/app/acme/endpoint/{_endpointId}", new { disabled = true })).EnsureSuccessStatusCode();
        await _client.PublishAsync("acme"); // Not for the endpoint at all while it is disabled (docs/DELIVERY.md).
        (await _client.PatchAsJsonAsync($"/api/v1/app/acme/endpoint/{_endpointId}", new { disabled = false })).EnsureSuccessStatusCode();

        var after = (string)(await _client.PublishAsync("acme"))["id"]!;

        var webhook = (await _receiver.WaitForAsync(2))[1];
        Assert.Equal(after, webhook.Id);
        await Task.Delay(TimeSpan.FromSeconds(1)); // Time for a wrong send of the message published while disabled to arrive.
        Assert.Equal(2, _receiver.Received.Count);
    }

    private async Task<string> SecretAsync() =>
        (string)(await _client.GetObjectAsync($"/api/v1/app/acme/endpoint/{_endpointId}/secret"))["key"]!;
}
