using System.Globalization;
using Herald.Server.Tests.Delivery;
using Herald.Server.Tests.Infrastructure;

namespace Herald.Server.Tests.Stats;

/// <summary>
/// Svix's attempt statistics (<c>GET /app/{app_id}/stats/attempts</c>, <c>GET /stats/app/{app_id}/attempt</c>) and
/// <c>GET /app/stats/count-active</c>, counted from the attempts Herald recorded, on a fake clock so windows are exact.
/// </summary>
public sealed class AttemptStatisticsApiTests : IAsyncLifetime
{
    private readonly HeraldApplication _herald = DeliveryTestKit.FakeTimeHerald(TimeSpan.FromHours(1));
    private WebhookReceiver _receiver = null!;
    private HttpClient _admin = null!;
    private DateTimeOffset _now;

    public async Task InitializeAsync()
    {
        _receiver = await WebhookReceiver.StartAsync();
        _receiver.Respond = DeliveryTestKit.On("/fail", DeliveryTestKit.Always(500));
        _admin = _herald.CreateAdminClient();
        _now = _herald.Time!.GetUtcNow();
        await _admin.CreateAppAsync("Acme", "acme");
    }

    public async Task DisposeAsync()
    {
        await _receiver.DisposeAsync();
        _herald.Dispose();
    }

    private static string Q(DateTimeOffset time) => Uri.EscapeDataString(time.ToString("O", CultureInfo.InvariantCulture));

    /// <summary>Two endpoints (one answers 200, one 500); invoice.paid twice and user.created once, sent; one more invoice.paid scheduled, then expunged (canceled at both).</summary>
    private async Task DeliverSomeAsync()
    {
        await _admin.CreateEndpointAsync("acme", _receiver.Url("/ok"));
        await _admin.CreateEndpointAsync("acme", _receiver.Url("/fail"));
        foreach (var type in new[] { "invoice.paid", "invoice.paid", "user.created" })
        {
            var id = (string)(await _admin.PublishAsync("acme", type))["id"]!;
            await _admin.WaitForAttemptsAsync("acme", id, 2);
        }

        var later = await _admin.PublishAsync("acme", "invoice.paid", new JsonObject { ["deliverAt"] = (_now + TimeSpan.FromHours(1)).ToString("O", CultureInfo.InvariantCulture) });
        Assert.Equal(HttpStatusCode.NoContent, (await _admin.DeleteAsync($"/api/v1/app/acme/msg/{(string)later["id"]!}/content")).StatusCode);
    }

    [Fact]
    public async Task AppAttemptStats_CountsSuccessFailureAndCanceled_PerEventType()
    {
        await DeliverSomeAsync();

        var stats = await _admin.GetObjectAsync($"/api/v1/app/acme/stats/attempts?since={Q(_now.AddHours(-1))}&until={Q(_now.AddHours(1))}");

        Assert.Equal(3, (long)stats["total_success"]!);
        Assert.Equal(3, (long)stats["total_failure"]!);
        Assert.Equal(2, (long)stats["total_canceled"]!);
        Assert.Equal(_now.AddHours(-1), stats["since"].AsTime());
        var invoice = stats["by_event_type"]!["invoice.paid"]!;
        Assert.Equal([2, 2, 2], new[] { "success", "failure", "canceled" }.Select(k => (long)invoice[k]!));
        var user = stats["by_event_type"]!["user.created"]!;
        Assert.Equal([1, 1, 0], new[] { "success", "failure", "canceled" }.Select(k => (long)user[k]!));

        var filtered = await _admin.GetObjectAsync($"/api/v1/app/acme/stats/attempts?since={Q(_now.AddHours(-1))}&until={Q(_now.AddHours(1))}&event_types=user.created");
        Assert.Equal(["user.created"], filtered["by_event_type"]!.AsObject().Select(p => p.Key));
        Assert.Equal(1, (long)filtered["total_success"]!);

        var before = await _admin.GetObjectAsync($"/api/v1/app/acme/stats/attempts?since={Q(_now.AddHours(-3))}&until={Q(_now.AddHours(-2))}");
        Assert.Empty(before["by_event_type"]!.AsObject());
        Assert.Equal(0, (long)before["total_success"]!);
    }

    [Fact]
    public async Task AttemptTimeSeries_CountsPerPeriod_OverWholePeriods()
    {
        await DeliverSomeAsync();

        var series = await _admin.GetObjectAsync(
            $"/api/v1/stats/app/acme/attempt?period=OneHour&startDate={Q(_now.AddMinutes(-150))}&endDate={Q(_now.AddMinutes(30))}");

        // 06:30–09:30 widened to whole hours: 06:00–10:00, four points; everything happened at 09:00.
        Assert.Equal("OneHour", (string?)series["period"]);
        Assert.Equal(_now.AddHours(-3), series["startDate"].AsTime());
        Assert.Equal(_now.AddHours(1), series["endDate"].AsTime());
        Assert.Equal([0, 0, 0, 3], series["data"]!["successCount"]!.AsArray().Select(n => (long)n!));
        Assert.Equal([0, 0, 0, 3], series["data"]!["failureCount"]!.AsArray().Select(n => (long)n!));
        Assert.Equal([0, 0, 0, 2], series["data"]!["canceledCount"]!.AsArray().Select(n => (long)n!));

        var byDefault = await _admin.GetObjectAsync("/api/v1/stats/app/acme/attempt?event_types=user.created");
        Assert.Equal("OneDay", (string?)byDefault["period"]);
        var days = byDefault["data"]!["successCount"]!.AsArray().Select(n => (long)n!).ToList();
        Assert.Equal(30, days.Count);
        Assert.Equal(1, days.Sum());
    }

    [Theory]
    [InlineData("/api/v1/app/acme/stats/attempts", "since")]
    [InlineData("/api/v1/app/acme/stats/attempts?since=2026-01-15T00:00:00Z", "until")]
    [InlineData("/api/v1/app/acme/stats/attempts?since=2026-01-15T00:00:00Z&until=2026-01-14T00:00:00Z", "until")]
    [InlineData("/api/v1/app/acme/stats/attempts?since=yesterday&until=2026-01-14T00:00:00Z", "since")]
    [InlineData("/api/v1/app/acme/stats/attempts?since=2020-01-01T00:00:00Z&until=2026-01-14T00:00:00Z", "until")]
    [InlineData("/api/v1/app/acme/stats/attempts?since=2026-01-14T00:00:00Z&until=2026-01-15T00:00:00Z&event_types=not%20a%20name", "event_types")]
    [InlineData("/api/v1/stats/app/acme/attempt?period=OneWeek", "period")]
    [InlineData("/api/v1/stats/app/acme/attempt?period=FiveMinutes&startDate=2026-01-01T00:00:00Z", "startDate")]
    [InlineData("/api/v1/stats/app/acme/attempt?startDate=2026-01-16T00:00:00Z&endDate=2026-01-15T00:00:00Z", "endDate")]
    [InlineData("/api/v1/stats/app/acme/attempt?endDate=soon", "endDate")]
    [InlineData("/api/v1/app/stats/count-active?exclude_disabled=maybe", "exclude_disabled")]
    public async Task InvalidParameters_Return422NamingThem(string url, string parameter)
    {
        var error = await (await _admin.GetAsync(url)).AssertErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_error");

        Assert.Contains(error["detail"]!.AsArray(), d => d!["loc"]!.AsArray().Select(l => (string?)l).Contains(parameter));
    }

    [Fact]
    public async Task UnknownApplication_Returns404()
    {
        await (await _admin.GetAsync($"/api/v1/app/nope/stats/attempts?since={Q(_now.AddHours(-1))}&until={Q(_now)}")).AssertErrorAsync(HttpStatusCode.NotFound, "not_found");
        await (await _admin.GetAsync("/api/v1/stats/app/nope/attempt")).AssertErrorAsync(HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task CountActive_CountsApplicationsWithAnEndpointThatCounts()
    {
        await _admin.CreateEndpointAsync("acme", "https://a.example.com/1");
        await _admin.CreateEndpointAsync("acme", "https://a.example.com/2");
        await _admin.CreateAppAsync("Paused", "paused");
        await _admin.CreateEndpointAsync("paused", "https://p.example.com/1", new JsonObject { ["disabled"] = true });
        await _admin.CreateAppAsync("Play", "play");
        await _admin.CreateEndpointAsync("play", "https://play.svix.com/in/e_abc/");
        await _admin.CreateAppAsync("Empty", "empty");

        async Task<long> CountAsync(string query) => (long)(await _admin.GetObjectAsync("/api/v1/app/stats/count-active" + query))["count"]!;

        Assert.Equal(1, await CountAsync(""));
        Assert.Equal(2, await CountAsync("?exclude_disabled=false"));
        Assert.Equal(2, await CountAsync("?exclude_svix_play=false"));
        Assert.Equal(3, await CountAsync("?exclude_disabled=false&exclude_svix_play=false"));
    }

    [Fact]
    public async Task ApplicationToken_ReadsItsOwnAttemptStats_ButNotTheOrganisationWideCounts()
    {
        var portal = await (await _admin.PostJsonAsync("/api/v1/auth/app-portal-access/acme", "{}")).ReadObjectAsync(HttpStatusCode.OK);
        var app = _herald.CreateClient((string)portal["token"]!);

        await (await app.GetAsync($"/api/v1/app/acme/stats/attempts?since={Q(_now.AddHours(-1))}&until={Q(_now)}")).ReadObjectAsync(HttpStatusCode.OK);
        await (await app.GetAsync("/api/v1/app/stats/count-active")).AssertErrorAsync(HttpStatusCode.Forbidden, "forbidden");
        await (await app.GetAsync("/api/v1/stats/app/acme/attempt")).AssertErrorAsync(HttpStatusCode.Forbidden, "forbidden");
    }
}
