using Herald.Client.Tests.Infrastructure;
using Herald.Server.Tests.Infrastructure;

namespace Herald.Client.Tests.Attempts;

public sealed class AttemptsApiTests : IAsyncLifetime
{
    private readonly HeraldApplication _server = new HeraldApplication().With("Herald:Delivery:AllowedNetworks:0", "127.0.0.0/8");
    private readonly HeraldClient _herald;
    private WebhookReceiver _receiver = null!;

    public AttemptsApiTests() => _herald = _server.CreateHeraldClient();

    public async Task InitializeAsync() => _receiver = await WebhookReceiver.StartAsync();

    public async Task DisposeAsync()
    {
        await _receiver.DisposeAsync();
        _herald.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Delivery_IsVisibleInTheAttemptLog_ByMessageByEndpointAndAsDeliveryStates()
    {
        await _herald.CreateShopAsync("order.created");
        var endpoint = await _herald.Endpoints.CreateAsync("shop", new EndpointIn { Url = _receiver.Url, Uid = "main" });
        var message = await _herald.PublishAsync("shop", "order.created");

        var byMessage = await TestEnvironment.EventuallyAsync(
            () => _herald.Attempts.ListByMessageAsync("shop", message.Id), page => page.Data.Count == 1);
        var attempt = byMessage.Data[0];
        Assert.Equal((message.Id, endpoint.Id, 200, MessageStatus.Success, "success", AttemptTrigger.Scheduled),
            (attempt.MsgId, attempt.EndpointId, attempt.ResponseStatusCode, attempt.Status, attempt.StatusText, attempt.TriggerType));

        Assert.Equivalent(attempt, await _herald.Attempts.GetAsync("shop", message.Id, attempt.Id), strict: true);
        var byEndpoint = await _herald.Attempts.ListByEndpointAsync("shop", "main", new AttemptListOptions { WithMsg = true, Status = MessageStatus.Success });
        Assert.Equal(message.Id, Assert.Single(byEndpoint.Data).Msg?.Id);
        Assert.Empty((await _herald.Attempts.ListByEndpointAsync("shop", "main", new AttemptListOptions { Status = MessageStatus.Fail })).Data);
        Assert.Single((await _herald.Attempts.ListByMessageAsync("shop", message.Id, new AttemptListOptions { EndpointId = "main", StatusCodeClass = 200 })).Data);

        var destination = Assert.Single((await _herald.Attempts.ListAttemptedDestinationsAsync("shop", message.Id)).Data);
        Assert.Equal((endpoint.Id, MessageStatus.Success), (destination.Id, destination.Status));
        var delivered = Assert.Single((await _herald.Attempts.ListAttemptedMessagesAsync("shop", "main")).Data);
        Assert.Equal((message.Id, MessageStatus.Success), (delivered.Id, delivered.Status));
        Assert.Equal(1, (await _herald.Endpoints.GetStatsAsync("shop", "main")).Success);

        await _herald.Attempts.ExpungeContentAsync("shop", message.Id, attempt.Id);
        Assert.Equal("", (await _herald.Attempts.GetAsync("shop", message.Id, attempt.Id)).Response);
    }

    [Fact]
    public async Task Resend_MakesAManualAttempt_AndAllAttemptsAreWalked()
    {
        await _herald.CreateShopAsync("order.created");
        await _herald.Endpoints.CreateAsync("shop", new EndpointIn { Url = _receiver.Url, Uid = "main" });
        var message = await _herald.PublishAsync("shop", "order.created");
        await TestEnvironment.EventuallyAsync(() => _herald.Attempts.ListByMessageAsync("shop", message.Id), page => page.Data.Count == 1);

        await _herald.Attempts.ResendAsync("shop", message.Id, "main");
        await _herald.Attempts.ResendAsync("shop", message.Id, "main");

        await TestEnvironment.EventuallyAsync(() => _herald.Attempts.ListByMessageAsync("shop", message.Id), page => page.Data.Count == 3);
        var triggers = new List<AttemptTrigger>();
        await foreach (var attempt in _herald.Attempts.ListAllByMessageAsync("shop", message.Id, new AttemptListOptions { Limit = 1 }, TestEnvironment.Timeout()))
        {
            triggers.Add(attempt.TriggerType);
        }

        Assert.Equal([AttemptTrigger.Manual, AttemptTrigger.Manual, AttemptTrigger.Scheduled], triggers);
        Assert.Equal(3, _receiver.Received);
    }

    [Fact]
    public async Task Resend_ToADisabledEndpoint_Throws409()
    {
        await _herald.CreateShopAsync("order.created");
        await _herald.Endpoints.CreateAsync("shop", new EndpointIn { Url = _receiver.Url, Uid = "main", Disabled = true });
        var message = await _herald.PublishAsync("shop", "order.created");

        var e = await Assert.ThrowsAsync<HeraldApiException>(() => _herald.Attempts.ResendAsync("shop", message.Id, "main"));

        Assert.Equal((HttpStatusCode.Conflict, "endpoint_disabled"), (e.StatusCode, e.Code));
    }

    [Fact]
    public async Task Recover_ResendsWhatFailed_AndSendExample_ReachesTheEndpoint()
    {
        await _herald.CreateShopAsync("order.created");
        await _herald.Endpoints.CreateAsync("shop", new EndpointIn { Url = _receiver.Url, Uid = "main" });

        var recovered = await _herald.Endpoints.RecoverAsync("shop", "main", new RecoverIn { Since = DateTimeOffset.UtcNow.AddHours(-1) });
        // Recover is a background task, as in Svix: the answer says it started; GET /background-task/{id} tells the end.
        Assert.Equal(("running", "endpoint.recover"), (recovered.Status, recovered.Task));
        Assert.StartsWith("qtask_", recovered.Id, StringComparison.Ordinal);

        var example = await _herald.Endpoints.SendExampleAsync("shop", "main", new EventExampleIn { EventType = "order.created" });
        Assert.Equal(["example"], example.Tags!);
        var attempts = await TestEnvironment.EventuallyAsync(() => _herald.Attempts.ListByMessageAsync("shop", example.Id), page => page.Data.Count == 1);
        Assert.Equal(MessageStatus.Success, attempts.Data[0].Status);
    }
}
