using Herald.Server.Tests.BackgroundTasks;
using Herald.Server.Tests.Delivery;
using Herald.Server.Tests.Infrastructure;

namespace Herald.Server.Tests.Stats;

/// <summary><c>/stats/usage/…</c>: aggregates computed by background tasks from what is stored.</summary>
public sealed class StatisticsApiTests : IAsyncLifetime
{
    private readonly HeraldApplication _herald = new();
    private HttpClient _admin = null!;
    private string _acme = null!;
    private string _other = null!;

    public async Task InitializeAsync()
    {
        _admin = _herald.CreateAdminClient();
        _acme = (string)(await _admin.CreateAppAsync("Acme", "acme"))["id"]!;
        _other = (string)(await _admin.CreateAppAsync("Other", "other"))["id"]!;
    }

    public Task DisposeAsync()
    {
        _herald.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task AppStats_CountsMessageDestinationsPerApplication()
    {
        await _admin.CreateEndpointAsync("acme", "https://a.example.com/1");
        await _admin.CreateEndpointAsync("acme", "https://a.example.com/2");
        await _admin.PublishAsync("acme");
        await _admin.PublishAsync("other");
        var window = Window();

        var started = await (await _admin.PostJsonAsync("/api/v1/stats/usage/app", window.ToJsonString())).ReadObjectAsync(HttpStatusCode.Accepted);

        Assert.Equal("application.stats", (string?)started["task"]);
        Assert.Empty(started["unresolvedAppIds"]!.AsArray());
        var stats = (await _admin.WaitForTaskAsync((string)started["id"]!))["data"]!["appStats"]!.AsArray();
        Assert.Equal(2, (long)stats.Single(s => (string?)s!["appId"] == _acme)!["messageDestinations"]!);
        Assert.Equal("acme", (string?)stats.Single(s => (string?)s!["appId"] == _acme)!["appUid"]);
        Assert.Equal(0, (long)stats.Single(s => (string?)s!["appId"] == _other)!["messageDestinations"]!);
    }

    [Fact]
    public async Task AppStats_ForSomeApplications_ListsOnlyThem_AndTheUnresolvedIds()
    {
        var body = Window();
        body["appIds"] = new JsonArray("acme", "no-such-app");

        var started = await (await _admin.PostJsonAsync("/api/v1/stats/usage/app", body.ToJsonString())).ReadObjectAsync(HttpStatusCode.Accepted);

        Assert.Equal(["no-such-app"], started["unresolvedAppIds"]!.AsArray().Select(i => (string?)i));
        var stats = (await _admin.WaitForTaskAsync((string)started["id"]!))["data"]!["appStats"]!.AsArray();
        Assert.Equal([_acme], stats.Select(s => (string?)s!["appId"]));
    }

    [Theory]
    [InlineData("""{"since":"2020-01-01T00:00:00Z"}""", "until")]
    [InlineData("""{"since":"2020-01-02T00:00:00Z","until":"2020-01-01T00:00:00Z"}""", "until")]
    [InlineData("""{"since":"2020-01-01T00:00:00Z","until":"2020-01-02T00:00:00Z","appIds":["nope"]}""", "appIds")]
    public async Task AppStats_WithInvalidInput_Returns422NamingTheField(string body, string field)
    {
        var response = await _admin.PostJsonAsync("/api/v1/stats/usage/app", body);

        var error = await response.AssertErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_error");
        Assert.Contains(field, error.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task EventTypeAggregate_ListsEachApplicationsSubscribedTypes()
    {
        await _admin.CreateEventTypeAsync("user.created");
        await _admin.CreateEventTypeAsync("invoice.paid");
        await _admin.CreateEndpointAsync("acme", "https://a.example.com/1", new JsonObject { ["eventTypes"] = new JsonArray("user.created", "invoice.paid") });
        await _admin.CreateEndpointAsync("acme", "https://a.example.com/2", new JsonObject { ["eventTypes"] = new JsonArray("invoice.paid") });
        await _admin.CreateEndpointAsync("other", "https://o.example.com/1");

        var id = await (await _admin.PutAsync("/api/v1/stats/usage/event-types", null)).StartedTaskIdAsync("event-type.aggregate");

        var result = (await _admin.WaitForTaskAsync(id))["data"]!["event_types"]!.AsArray();
        var acme = result.Single(r => (string?)r!["appId"] == _acme)!;
        var other = result.Single(r => (string?)r!["appId"] == _other)!;
        Assert.Equal(["invoice.paid", "user.created"], acme["explicitlySubscribedEventTypes"]!.AsArray().Select(t => (string?)t));
        Assert.False((bool)acme["hasCatchAllEndpoint"]!);
        Assert.Empty(other["explicitlySubscribedEventTypes"]!.AsArray());
        Assert.True((bool)other["hasCatchAllEndpoint"]!);
    }

    [Fact]
    public async Task EndpointCount_CountsEnabledAndDisabledEndpoints_WithoutSvixPlayByDefault()
    {
        await _admin.CreateEndpointAsync("acme", "https://a.example.com/1");
        await _admin.CreateEndpointAsync("acme", "https://play.svix.com/in/e_abc/");
        await _admin.CreateEndpointAsync("other", "https://o.example.com/1", new JsonObject { ["disabled"] = true });

        var all = await _admin.GetObjectAsync("/api/v1/stats/endpoint/count?exclude_svix_play=false");
        var withoutPlay = await _admin.GetObjectAsync("/api/v1/stats/endpoint/count");
        var explicitlyWithout = await _admin.GetObjectAsync("/api/v1/stats/endpoint/count?exclude_svix_play=true");

        Assert.Equal(2, (long)all["active"]!);
        Assert.Equal(1, (long)all["disabled"]!);
        Assert.Equal(1, (long)withoutPlay["active"]!);
        Assert.Equal(1, (long)withoutPlay["disabled"]!);
        Assert.Equal(withoutPlay.ToJsonString(), explicitlyWithout.ToJsonString());
    }

    private static JsonObject Window() => new()
    {
        ["since"] = DateTimeOffset.UtcNow.AddHours(-1).ToString("O"),
        ["until"] = DateTimeOffset.UtcNow.AddHours(1).ToString("O"),
    };
}
