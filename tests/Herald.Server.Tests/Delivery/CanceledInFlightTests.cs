using Herald.Server.Tests.Infrastructure;

namespace Herald.Server.Tests.Delivery;

/// <summary>
/// A delivery canceled while its try is in flight (here: the message's payload expunged while the receiver holds the
/// request) stays canceled when the try fails, since there is nothing left to retry with, and is a success when the
/// try succeeds. The receiver answers only when the test lets it, so the cancel lands inside the try every time.
/// </summary>
public sealed class CanceledInFlightTests : IAsyncLifetime
{
    // A failed try would otherwise be retried an hour later; the clock never gets there.
    private readonly HeraldApplication _herald = DeliveryTestKit.FakeTimeHerald(TimeSpan.FromHours(1));
    private readonly TaskCompletionSource _arrived = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<int> _answer = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private WebhookReceiver _receiver = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _receiver = await WebhookReceiver.StartAsync();
        _receiver.Respond = async (_, context) =>
        {
            _arrived.TrySetResult();
            context.Response.StatusCode = await _answer.Task;
        };
        _client = _herald.CreateAdminClient();
        await _client.CreateAppAsync("Acme", "acme");
    }

    public async Task DisposeAsync()
    {
        _answer.TrySetResult(200);
        await _receiver.DisposeAsync();
        _herald.Dispose();
    }

    [Theory]
    [InlineData(500, 4, "canceled")]
    [InlineData(200, 0, "success")]
    public async Task Delivery_CanceledWhileItsTryIsInFlight_StaysCanceledUnlessTheTrySucceeded(int answer, int status, string statusText)
    {
        var endpointId = (string)(await _client.CreateEndpointAsync("acme", _receiver.Url()))["id"]!;
        var messageId = (string)(await _client.PublishAsync("acme"))["id"]!;
        await _arrived.Task.WaitAsync(TimeSpan.FromSeconds(30));

        (await _client.DeleteAsync($"/api/v1/app/acme/msg/{messageId}/content")).EnsureSuccessStatusCode();
        Assert.Equal(1, (int)(await _client.GetObjectAsync($"/api/v1/app/acme/endpoint/{endpointId}/stats"))["canceled"]!);
        _answer.SetResult(answer);
        await _client.WaitForAttemptsAsync("acme", messageId, 1);

        var delivery = (await _client.GetDataAsync($"/api/v1/app/acme/endpoint/{endpointId}/msg?expanded_statuses=true")).Single()!;
        Assert.Equal(messageId, (string?)delivery["id"]);
        Assert.Equal(status, (int)delivery["status"]!);
        Assert.Equal(statusText, (string?)delivery["statusText"]);
        Assert.Null(delivery["nextAttempt"]);
        var stats = await _client.GetObjectAsync($"/api/v1/app/acme/endpoint/{endpointId}/stats");
        Assert.Equal(0, (int)stats["pending"]!);
        Assert.Equal(status == 4 ? 1 : 0, (int)stats["canceled"]!);
        Assert.Equal(status == 0 ? 1 : 0, (int)stats["success"]!);
    }
}
