using Herald.Client.Tests.Infrastructure;
using Herald.Server.Tests.Infrastructure;

namespace Herald.Client.Tests.Endpoints;

public sealed class EndpointsApiTests : IDisposable
{
    private readonly HeraldApplication _server = new();
    private readonly HeraldClient _herald;

    public EndpointsApiTests() => _herald = _server.CreateHeraldClient();

    public void Dispose()
    {
        _herald.Dispose();
        _server.Dispose();
    }

    [Fact]
    public async Task Crud_CreatesGetsPatchesUpsertsListsAndDeletes()
    {
        await _herald.CreateShopAsync("order.created", "order.shipped");
        var created = await _herald.Endpoints.CreateAsync("shop", new EndpointIn
        {
            Url = "https://example.com/hooks",
            Uid = "main",
            EventTypes = ["order.created"],
            Channels = ["eu"],
            Timeout = TimeSpan.FromSeconds(5),
        });
        Assert.StartsWith("ep_", created.Id);
        Assert.Equal(TimeSpan.FromSeconds(5), created.Timeout);
        Assert.Equal(["order.created"], created.EventTypes!);

        Assert.Equivalent(created, await _herald.Endpoints.GetAsync("shop", "main"), strict: true);

        var patched = await _herald.Endpoints.PatchAsync("shop", "main", new EndpointPatch { Disabled = true, EventTypes = [] });
        Assert.True(patched.Disabled);
        Assert.Null(patched.EventTypes);
        Assert.Equal(["eu"], patched.Channels!);

        var replaced = await _herald.Endpoints.UpsertAsync("shop", "main", new EndpointIn { Url = "https://example.com/v2", Uid = "main" });
        Assert.Equal(("https://example.com/v2", false, null), (replaced.Url, replaced.Disabled, replaced.Channels));
        var second = await _herald.Endpoints.UpsertAsync("shop", "backup", new EndpointIn { Url = "https://example.com/backup" });

        var all = new List<string>();
        await foreach (var endpoint in _herald.Endpoints.ListAllAsync("shop", new ListOptions { Limit = 1 }, TestEnvironment.Timeout()))
        {
            all.Add(endpoint.Id);
        }

        Assert.Equal([created.Id, second.Id], all);

        await _herald.Endpoints.DeleteAsync("shop", "main");
        var e = await Assert.ThrowsAsync<HeraldApiException>(() => _herald.Endpoints.GetAsync("shop", "main"));
        Assert.Equal((HttpStatusCode.NotFound, "not_found", "Endpoint not found."), (e.StatusCode, e.Code, e.Detail));
    }

    [Fact]
    public async Task Create_WithAnUnknownEventTypeAndABadUrl_Throws422_NamingBoth()
    {
        await _herald.CreateShopAsync();

        var e = await Assert.ThrowsAsync<HeraldApiException>(() =>
            _herald.Endpoints.CreateAsync("shop", new EndpointIn { Url = "ftp://example.com", EventTypes = ["nope"] }));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, e.StatusCode);
        Assert.Contains(e.Errors, error => error.Loc.SequenceEqual(["body", "url"]) && error.Type == "invalid_url");
    }

    [Fact]
    public async Task Secret_IsReadAndRotated()
    {
        await _herald.CreateShopAsync();
        const string Secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        await _herald.Endpoints.CreateAsync("shop", new EndpointIn { Url = "https://example.com/hooks", Uid = "main", Secret = Secret });

        Assert.Equal(Secret, (await _herald.Endpoints.GetSecretAsync("shop", "main")).Key);

        await _herald.Endpoints.RotateSecretAsync("shop", "main");
        var generated = (await _herald.Endpoints.GetSecretAsync("shop", "main")).Key;
        Assert.StartsWith("whsec_", generated);
        Assert.NotEqual(Secret, generated);

        const string Chosen = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD";
        await _herald.Endpoints.RotateSecretAsync("shop", "main", new EndpointSecretRotateIn { Key = Chosen, GracePeriod = TimeSpan.FromMinutes(5) });
        Assert.Equal(Chosen, (await _herald.Endpoints.GetSecretAsync("shop", "main")).Key);
    }

    [Fact]
    public async Task Headers_AreReplacedPatchedAndSensitiveOnesWithheld()
    {
        await _herald.CreateShopAsync();
        await _herald.Endpoints.CreateAsync("shop", new EndpointIn { Url = "https://example.com/hooks", Uid = "main" });

        await _herald.Endpoints.UpdateHeadersAsync("shop", "main", new EndpointHeadersIn
        {
            Headers = new Dictionary<string, string> { ["X-Team"] = "payments", ["Authorization"] = "Bearer abc" },
        });
        var headers = await _herald.Endpoints.GetHeadersAsync("shop", "main");
        Assert.Equal("payments", headers.Headers["X-Team"]);
        Assert.Equal(["Authorization"], headers.Sensitive);

        await _herald.Endpoints.PatchHeadersAsync("shop", "main", new EndpointHeadersPatch
        {
            Headers = new Dictionary<string, string> { ["X-Region"] = "eu" },
            DeleteHeaders = ["X-Team"],
        });
        headers = await _herald.Endpoints.GetHeadersAsync("shop", "main");
        Assert.Equal(["X-Region"], headers.Headers.Keys);
        Assert.Equal(["Authorization"], headers.Sensitive);
    }

    [Fact]
    public async Task OperationalWebhookEndpoints_Crud()
    {
        var created = await _herald.OperationalWebhookEndpoints.CreateAsync(new EndpointIn
        {
            Url = "https://ops.example.com/herald",
            Uid = "ops",
            EventTypes = ["message.attempt.exhausted"],
        });

        Assert.Equivalent(created, await _herald.OperationalWebhookEndpoints.GetAsync("ops"), strict: true);
        Assert.Equal([created.Id], (await _herald.OperationalWebhookEndpoints.ListAsync()).Data.Select(e => e.Id));
        Assert.StartsWith("whsec_", (await _herald.OperationalWebhookEndpoints.GetSecretAsync("ops")).Key);
        var patched = await _herald.OperationalWebhookEndpoints.PatchAsync("ops", new EndpointPatch { Description = "pager" });
        Assert.Equal("pager", patched.Description);

        var invalid = await Assert.ThrowsAsync<HeraldApiException>(() =>
            _herald.OperationalWebhookEndpoints.PatchAsync("ops", new EndpointPatch { EventTypes = ["order.created"] }));
        Assert.Equal("unknown_event_type", Assert.Single(invalid.Errors).Type);

        await _herald.OperationalWebhookEndpoints.DeleteAsync("ops");
        Assert.Empty((await _herald.OperationalWebhookEndpoints.ListAsync()).Data);
    }
}
