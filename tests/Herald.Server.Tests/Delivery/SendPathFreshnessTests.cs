using Herald.Server.Delivery;
using Herald.Server.Messages;
using Herald.Server.Storage;
using Herald.Server.Tests.Secrets;
using Herald.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Herald.Server.Tests.Delivery;

/// <summary>
/// The send path may keep an endpoint and its secrets in memory (SQLite's store does), so every change to them must
/// reach the very next send: each test first sends once, so the endpoint is read and kept, then changes it through the
/// API and sends again. A fresh delivery's first attempt takes what its publish had in hand instead of reading it
/// (<see cref="DeliveryTask.HandOff"/>); that must be exactly what a read gives.
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

    [Fact]
    public async Task FreshDelivery_WorkHandedOverByItsPublish_IsWhatAReadGives()
    {
        (await _client.PutAsJsonAsync($"/api/v1/app/acme/endpoint/{_endpointId}/headers", new { headers = new Dictionary<string, string> { ["X-Version"] = "3" } }))
            .EnsureSuccessStatusCode();
        (await _client.PostAsync($"/api/v1/app/acme/endpoint/{_endpointId}/secret/rotate", null)).EnsureSuccessStatusCode(); // Two live keys.
        var store = _herald.Services.GetRequiredService<IHeraldStore>();
        var now = _herald.Services.GetRequiredService<TimeProvider>().GetUtcNow();
        var appId = (string)(await _client.GetObjectAsync("/api/v1/app/acme"))["id"]!;

        // Leased to a node that is not running: the dispatcher leaves the delivery alone.
        var published = await store.PublishMessageAsync(
            new NewMessage { Id = "msg_handoff", ApplicationId = appId, EventType = "invoice.paid", Payload = """{"n":7}"""u8.ToArray(), CreatedAt = now },
            null, new DeliveryLease("elsewhere", now.AddMinutes(5)), CancellationToken.None);
        var delivery = Assert.Single(published.Deliveries);
        Assert.NotNull(delivery.HandOff);
        // PostgreSQL's publish group reads the endpoint with its secrets; SQLite's send path keeps them in memory instead.
        Assert.Equal(_herald.IsPostgres(), delivery.HandOff.Endpoint is not null);

        var handed = (await store.GetDeliveryWorkAsync(delivery, now, CancellationToken.None))!;
        var read = (await store.GetDeliveryWorkAsync(delivery with { HandOff = null }, now, CancellationToken.None))!;

        Assert.Equal(read.Delivery, handed.Delivery with { HandOff = null });
        Assert.Equal((read.Message.Id, read.Message.Sequence, read.Message.EventType), (handed.Message.Id, handed.Message.Sequence, handed.Message.EventType));
        Assert.Equal(read.Message.Payload, handed.Message.Payload);
        Assert.Equal(read.Message.CreatedAt, handed.Message.CreatedAt, TimeSpan.FromMilliseconds(1)); // Storage keeps milliseconds or microseconds.
        Assert.Equal((read.Endpoint.Url, read.Endpoint.Version), (handed.Endpoint.Url, handed.Endpoint.Version));
        Assert.Equal(read.Endpoint.Headers, handed.Endpoint.Headers);
        Assert.Equal(2, read.Secrets.Count);
        Assert.Equal(read.Secrets, handed.Secrets);
    }

    private async Task<string> SecretAsync() =>
        (string)(await _client.GetObjectAsync($"/api/v1/app/acme/endpoint/{_endpointId}/secret"))["key"]!;
}
