using Herald.Server.Tests.Infrastructure;

namespace Herald.Server.Tests.Idempotency;

public sealed class IdempotencyTests : IDisposable
{
    private const string ReplayedHeader = "Idempotent-Replayed";

    private readonly HeraldApplication _herald = new HeraldApplication().WithFakeTime();
    private readonly HttpClient _admin;

    public IdempotencyTests() => _admin = _herald.CreateAdminClient();

    public void Dispose() => _herald.Dispose();

    private static bool IsReplay(HttpResponseMessage response) =>
        response.Headers.TryGetValues(ReplayedHeader, out var values) && values.SingleOrDefault() == "true";

    private async Task<List<string>> AppNamesAsync()
    {
        var list = await (await _admin.GetAsync("/api/v1/app?limit=250")).ReadObjectAsync(HttpStatusCode.OK);
        return list["data"]!.AsArray().Select(a => (string)a!["name"]!).ToList();
    }

    private async Task<List<string>> MessageIdsAsync(string appId)
    {
        var list = await (await _admin.GetAsync($"/api/v1/app/{appId}/msg?limit=250")).ReadObjectAsync(HttpStatusCode.OK);
        return list["data"]!.AsArray().Select(m => (string)m!["id"]!).ToList();
    }

    [Fact]
    public async Task SameKeyTwice_ReturnsTheSameResponse_AndCreatesOneApplication()
    {
        var first = await _admin.PostJsonAsync("/api/v1/app", """{"name":"Acme"}""", "key-1");
        var second = await _admin.PostJsonAsync("/api/v1/app", """{"name":"Acme"}""", "key-1");

        var firstBody = await first.ReadObjectAsync(HttpStatusCode.Created);
        var secondBody = await second.ReadObjectAsync(HttpStatusCode.Created);
        Assert.Equal(firstBody.ToJsonString(), secondBody.ToJsonString());
        Assert.Equal(first.Content.Headers.ContentType?.MediaType, second.Content.Headers.ContentType?.MediaType);
        Assert.NotNull(first.Headers.Location);
        Assert.Equal(first.Headers.Location, second.Headers.Location);
        Assert.False(IsReplay(first));
        Assert.True(IsReplay(second));
        Assert.Equal(["Acme"], await AppNamesAsync());
    }

    [Fact]
    public async Task TwentyRacingRequestsWithTheSameKey_AllGetTheSameApplication_AndOneExists()
    {
        // Real time here: the waiting requests poll for the first one's answer on the server's clock.
        using var herald = new HeraldApplication();
        var admin = herald.CreateAdminClient();

        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => admin.PostJsonAsync("/api/v1/app", """{"name":"Raced"}""", "race")));

        var ids = new List<string>();
        foreach (var response in responses)
        {
            ids.Add((string)(await response.ReadObjectAsync(HttpStatusCode.Created))["id"]!);
        }

        Assert.Single(ids.Distinct());
        Assert.Single(responses, r => !IsReplay(r));
        var list = await (await admin.GetAsync("/api/v1/app")).ReadObjectAsync(HttpStatusCode.OK);
        Assert.Equal(ids[0], (string?)Assert.Single(list["data"]!.AsArray())!["id"]);
    }

    [Fact]
    public async Task SameKeyWithADifferentBody_Returns409_AndChangesNothing()
    {
        await (await _admin.PostJsonAsync("/api/v1/app", """{"name":"Acme"}""", "key-1")).ReadObjectAsync(HttpStatusCode.Created);

        var response = await _admin.PostJsonAsync("/api/v1/app", """{"name":"Other"}""", "key-1");

        await response.AssertErrorAsync(HttpStatusCode.Conflict, "idempotency_key_reused");
        Assert.Equal(["Acme"], await AppNamesAsync());
    }

    [Fact]
    public async Task SameKeyOnADifferentRoute_Returns409()
    {
        await (await _admin.PostJsonAsync("/api/v1/app", """{"name":"Acme"}""", "key-1")).ReadObjectAsync(HttpStatusCode.Created);

        var response = await _admin.PostJsonAsync("/api/v1/event-type", """{"name":"Acme"}""", "key-1");

        await response.AssertErrorAsync(HttpStatusCode.Conflict, "idempotency_key_reused");
        var types = await (await _admin.GetAsync("/api/v1/event-type?include_archived=true")).ReadObjectAsync(HttpStatusCode.OK);
        Assert.Empty(types["data"]!.AsArray());
    }

    [Fact]
    public async Task SameKeyFromTwoTokens_AreIndependentRequests()
    {
        var app = await _admin.CreateAppAsync();
        var appId = (string)app["id"]!;
        var access = await (await _admin.PostJsonAsync($"/api/v1/auth/app-portal-access/{appId}", "{}")).ReadObjectAsync(HttpStatusCode.OK);
        var portal = _herald.CreateClient((string)access["token"]!);
        const string body = """{"eventType":"invoice.paid","payload":{"amount":1}}""";

        var byAdmin = await _admin.PostJsonAsync($"/api/v1/app/{appId}/msg", body, "shared-key");
        var byPortal = await portal.PostJsonAsync($"/api/v1/app/{appId}/msg", body, "shared-key");

        var adminMessage = await byAdmin.ReadObjectAsync(HttpStatusCode.Accepted);
        var portalMessage = await byPortal.ReadObjectAsync(HttpStatusCode.Accepted);
        Assert.False(IsReplay(byPortal));
        Assert.NotEqual((string?)adminMessage["id"], (string?)portalMessage["id"]);
        Assert.Equal(2, (await MessageIdsAsync(appId)).Count);
    }

    [Fact]
    public async Task RefusedRequest_IsReplayedAsRefused_AndTheKeyCannotBeReusedForAFixedBody()
    {
        var first = await _admin.PostJsonAsync("/api/v1/app", """{"name":""}""", "key-1");
        var again = await _admin.PostJsonAsync("/api/v1/app", """{"name":""}""", "key-1");
        var fixedBody = await _admin.PostJsonAsync("/api/v1/app", """{"name":"Acme"}""", "key-1");

        var firstError = await first.AssertErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_error");
        var againError = await again.AssertErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_error");
        Assert.Equal(firstError.ToJsonString(), againError.ToJsonString());
        Assert.True(IsReplay(again));
        await fixedBody.AssertErrorAsync(HttpStatusCode.Conflict, "idempotency_key_reused");
        Assert.Empty(await AppNamesAsync());
    }

    [Fact]
    public async Task Key_Expires24HoursAfterFirstUse_ThenServesANewRequest()
    {
        var first = await (await _admin.PostJsonAsync("/api/v1/app", """{"name":"First"}""", "daily")).ReadObjectAsync(HttpStatusCode.Created);

        _herald.Time!.Advance(TimeSpan.FromHours(23));
        var stillReplayed = await _admin.PostJsonAsync("/api/v1/app", """{"name":"First"}""", "daily");
        Assert.True(IsReplay(stillReplayed));
        Assert.Equal((string?)first["id"], (string?)(await stillReplayed.ReadObjectAsync(HttpStatusCode.Created))["id"]);

        _herald.Time.Advance(TimeSpan.FromHours(1) + TimeSpan.FromSeconds(1));
        var next = await _admin.PostJsonAsync("/api/v1/app", """{"name":"Second"}""", "daily");

        Assert.False(IsReplay(next));
        await next.ReadObjectAsync(HttpStatusCode.Created);
        Assert.Equal(["First", "Second"], await AppNamesAsync());
    }

    [Fact]
    public async Task KeyLongerThan256Characters_Returns400_AndCreatesNothing()
    {
        var response = await _admin.PostJsonAsync("/api/v1/app", """{"name":"Acme"}""", new string('k', 257));

        await response.AssertErrorAsync(HttpStatusCode.BadRequest, "invalid_idempotency_key");
        Assert.Empty(await AppNamesAsync());
        await (await _admin.PostJsonAsync("/api/v1/app", """{"name":"Acme"}""", new string('k', 256))).ReadObjectAsync(HttpStatusCode.Created);
    }

    [Fact]
    public async Task PostWithoutKey_IsNotDeduplicated()
    {
        var first = await (await _admin.PostJsonAsync("/api/v1/app", """{"name":"Acme"}""")).ReadObjectAsync(HttpStatusCode.Created);
        var second = await (await _admin.PostJsonAsync("/api/v1/app", """{"name":"Acme"}""")).ReadObjectAsync(HttpStatusCode.Created);

        Assert.NotEqual((string?)first["id"], (string?)second["id"]);
        Assert.Equal(["Acme", "Acme"], await AppNamesAsync());
    }

    [Fact]
    public async Task SameKeyTwice_OnPublish_CreatesOneMessage()
    {
        var appId = (string)(await _admin.CreateAppAsync())["id"]!;
        const string body = """{"eventType":"invoice.paid","payload":{"amount":42}}""";

        var first = await _admin.PostJsonAsync($"/api/v1/app/{appId}/msg", body, "publish-1");
        var second = await _admin.PostJsonAsync($"/api/v1/app/{appId}/msg", body, "publish-1");

        var firstMessage = await first.ReadObjectAsync(HttpStatusCode.Accepted);
        var secondMessage = await second.ReadObjectAsync(HttpStatusCode.Accepted);
        Assert.Equal(firstMessage.ToJsonString(), secondMessage.ToJsonString());
        Assert.True(IsReplay(second));
        Assert.Equal([(string)firstMessage["id"]!], await MessageIdsAsync(appId));
    }
}
