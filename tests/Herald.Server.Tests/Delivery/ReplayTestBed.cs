using Herald.Server.Tests.Infrastructure;

namespace Herald.Server.Tests.Delivery;

/// <summary>
/// What the replay tests (resend, recover, replay-missing, bulk-replay, send-example, stats) share: their own Herald,
/// a real receiver, an admin client and the application <c>acme</c>, with shortcuts to its endpoints' replay routes.
/// </summary>
public abstract class ReplayTestBed(HeraldApplication herald) : IAsyncLifetime
{
    /// <summary>A time well before any message of a test: the start of a replay window that takes them all.</summary>
    protected static readonly string LongAgo = DateTimeOffset.UtcNow.AddHours(-1).ToString("O");

    protected HeraldApplication Herald { get; } = herald;

    protected WebhookReceiver Receiver { get; private set; } = null!;

    protected HttpClient Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Receiver = await WebhookReceiver.StartAsync();
        Client = Herald.CreateAdminClient();
        await Client.CreateAppAsync("Acme", "acme");
    }

    public async Task DisposeAsync()
    {
        await Receiver.DisposeAsync();
        Herald.Dispose();
    }

    /// <summary>Creates an endpoint of acme that delivers to the receiver at <paramref name="path"/>; returns its id.</summary>
    protected async Task<string> CreateEndpointAsync(string path = "/webhook", JsonObject? extra = null) =>
        (string)(await Client.CreateEndpointAsync("acme", Receiver.Url(path), extra))["id"]!;

    /// <summary>Publishes to acme; returns the message's id.</summary>
    protected async Task<string> PublishAsync(string eventType = "invoice.paid", JsonObject? extra = null) =>
        (string)(await Client.PublishAsync("acme", eventType, extra))["id"]!;

    /// <summary>Publishes an invoice.paid whose payload is <c>{"ok": ok}</c> (see <see cref="FailWhenNotOk"/>); returns its id.</summary>
    protected Task<string> PublishAsync(bool ok) =>
        PublishAsync("invoice.paid", new JsonObject { ["payload"] = new JsonObject { ["ok"] = ok } });

    /// <summary>The receiver answers 500 to payloads with <c>"ok": false</c>, 200 to all others.</summary>
    protected void FailWhenNotOk() => Receiver.Respond = (webhook, context) =>
    {
        context.Response.StatusCode = webhook.BodyText.Contains("\"ok\":false", StringComparison.Ordinal) ? 500 : 200;
        return Task.CompletedTask;
    };

    /// <summary><c>POST /api/v1/app/acme/endpoint/{endpointId}/{action}</c> with a JSON body.</summary>
    protected Task<HttpResponseMessage> PostToEndpointAsync(string endpointId, string action, string json) =>
        Client.PostJsonAsync($"/api/v1/app/acme/endpoint/{endpointId}/{action}", json);
}
