using Herald.Server.Tests.Delivery;
using Herald.Server.Tests.Infrastructure;

namespace Herald.Server.Tests.Messages;

/// <summary>
/// <c>payloadRetentionPeriod</c> / <c>payloadRetentionHours</c> and the retention job: payloads expire when asked (or
/// after the server's default), unsent deliveries of an expired message are canceled, and attempts and messages past
/// the history retention are deleted. The job runs on the fake clock every minute.
/// </summary>
public sealed class PayloadRetentionTests : IAsyncLifetime
{
    private WebhookReceiver _receiver = null!;

    public async Task InitializeAsync() => _receiver = await WebhookReceiver.StartAsync();

    public async Task DisposeAsync() => await _receiver.DisposeAsync();

    private static HeraldApplication Herald() => DeliveryTestKit.FakeTimeHerald(TimeSpan.FromHours(12))
        .With("Herald:Retention:Interval", "00:01:00")
        .With("Herald:Retention:DefaultPayloadRetention", "2.00:00:00")
        .With("Herald:Retention:HistoryRetention", "3.00:00:00");

    private async Task<(HttpClient Client, string EndpointId)> SetUpAsync(HeraldApplication herald)
    {
        var client = herald.CreateAdminClient();
        await client.CreateAppAsync("Acme", "acme");
        var endpoint = await client.CreateEndpointAsync("acme", _receiver.Url());
        return (client, (string)endpoint["id"]!);
    }

    private static async Task WaitForPayloadAsync(HttpClient client, string messageId, string expected) =>
        await DeliveryTestKit.EventuallyAsync(
            async () => (await client.GetObjectAsync($"/api/v1/app/acme/msg/{messageId}"))["payload"]!.ToJsonString() == expected,
            $"the payload of {messageId} is {expected}");

    [Fact]
    public async Task PayloadRetentionHours_ExpungesThePayloadAfterThoseHours_AndTheDefaultKeepsOthers()
    {
        using var herald = Herald();
        var (client, _) = await SetUpAsync(herald);
        var hour = await client.PublishAsync("acme", extra: new JsonObject { ["payloadRetentionHours"] = 1 });
        var day = await client.PublishAsync("acme", extra: new JsonObject { ["payloadRetentionPeriod"] = 1 });
        var byDefault = await client.PublishAsync("acme");
        await _receiver.WaitForAsync(3);

        herald.Time!.Advance(TimeSpan.FromMinutes(61));
        await WaitForPayloadAsync(client, (string)hour["id"]!, "{}");
        await WaitForPayloadAsync(client, (string)day["id"]!, """{"amount":42}""");

        herald.Time.Advance(TimeSpan.FromHours(23));
        await WaitForPayloadAsync(client, (string)day["id"]!, "{}");
        await WaitForPayloadAsync(client, (string)byDefault["id"]!, """{"amount":42}""");

        herald.Time.Advance(TimeSpan.FromDays(1));
        await WaitForPayloadAsync(client, (string)byDefault["id"]!, "{}"); // The configured default: 2 days.
    }

    [Theory]
    [InlineData("""{"payloadRetentionPeriod":0}""", "payloadRetentionPeriod")]
    [InlineData("""{"payloadRetentionPeriod":91}""", "payloadRetentionPeriod")]
    [InlineData("""{"payloadRetentionHours":0}""", "payloadRetentionHours")]
    [InlineData("""{"payloadRetentionHours":2161}""", "payloadRetentionHours")]
    [InlineData("""{"payloadRetentionPeriod":5,"payloadRetentionHours":5}""", "payloadRetentionHours")]
    public async Task RetentionOutsideSvixBounds_OrBothFields_Is422NamingTheField(string fields, string field)
    {
        using var herald = Herald();
        var (client, _) = await SetUpAsync(herald);
        var body = JsonNode.Parse(fields)!.AsObject();
        body["eventType"] = "invoice.paid";
        body["payload"] = new JsonObject();

        var response = await client.PostAsJsonAsync("/api/v1/app/acme/msg", body);

        ValidationErrors.Single(await response.ReadObjectAsync(HttpStatusCode.UnprocessableEntity), "body", field);
        Assert.Empty(await client.GetDataAsync("/api/v1/app/acme/msg"));
    }

    [Fact]
    public async Task MessageNotYetDelivered_WhenItsPayloadExpires_IsCanceled_AndNeverSentAgain()
    {
        using var herald = Herald();
        var (client, endpointId) = await SetUpAsync(herald);
        _receiver.Respond = DeliveryTestKit.Always(500);
        var message = await client.PublishAsync("acme", extra: new JsonObject { ["payloadRetentionHours"] = 1 });
        var id = (string)message["id"]!;
        await client.WaitForAttemptsAsync("acme", id, 1); // Failed; the next try is 12 h later.

        herald.Time!.Advance(TimeSpan.FromMinutes(61));
        await WaitForPayloadAsync(client, id, "{}");
        var destination = await client.DestinationAsync("acme", id, endpointId);
        herald.Time.Advance(TimeSpan.FromHours(12));
        var stillOne = await client.GetDataAsync($"/api/v1/app/acme/attempt/msg/{id}");

        Assert.Equal(4, (int)destination["status"]!); // Canceled: there is nothing genuine left to send.
        Assert.Single(stillOne);
        Assert.Single(_receiver.Received);
    }

    [Fact]
    public async Task AttemptsAndMessages_PastTheHistoryRetention_AreDeleted()
    {
        using var herald = Herald();
        var (client, _) = await SetUpAsync(herald);
        var old = await client.PublishAsync("acme", extra: new JsonObject { ["payloadRetentionHours"] = 1 });
        await client.WaitForAttemptsAsync("acme", (string)old["id"]!, 1);
        herald.Time!.Advance(TimeSpan.FromDays(2));
        var recent = await client.PublishAsync("acme", extra: new JsonObject { ["payloadRetentionHours"] = 1 });
        await client.WaitForAttemptsAsync("acme", (string)recent["id"]!, 1);

        herald.Time.Advance(TimeSpan.FromDays(1) + TimeSpan.FromMinutes(1)); // old is past 3 days; recent is not.
        await DeliveryTestKit.EventuallyAsync(
            async () => (await client.GetAsync($"/api/v1/app/acme/msg/{old["id"]}")).StatusCode == HttpStatusCode.NotFound,
            "the old message is deleted");

        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/api/v1/app/acme/attempt/msg/{old["id"]}")).StatusCode);
        Assert.DoesNotContain(await client.GetDataAsync("/api/v1/app/acme/msg"), m => (string?)m!["id"] == (string?)old["id"]);
        Assert.Single(await client.GetDataAsync($"/api/v1/app/acme/attempt/msg/{recent["id"]}"));
        Assert.Equal("{}", (await client.GetObjectAsync($"/api/v1/app/acme/msg/{recent["id"]}"))["payload"]!.ToJsonString());
    }
}
