using Herald.Server.Tests.Infrastructure;

namespace Herald.Server.Tests.Auth;

/// <summary>Admin API keys as objects: create (secret once), list, get, revoke, expire, rotate, and the bootstrap key.</summary>
public sealed class ApiKeyTests : IDisposable
{
    private const string Keys = "/api/v1/auth/api-key";
    private readonly HeraldApplication _herald = new HeraldApplication().WithFakeTime();
    private readonly HttpClient _admin;

    public ApiKeyTests() => _admin = _herald.CreateAdminClient();

    public void Dispose() => _herald.Dispose();

    private async Task<JsonObject> CreateKeyAsync(string body, HttpClient? by = null) =>
        await (await (by ?? _admin).PostJsonAsync(Keys, body)).ReadObjectAsync(HttpStatusCode.Created);

    private async Task<JsonObject> CreateAdminKeyAsync(string name = "ops") => await CreateKeyAsync($$"""{"name":"{{name}}","scopes":["admin"]}""");

    private async Task<HttpStatusCode> StatusWithAsync(string secret) =>
        (await _herald.CreateClient(secret).GetAsync("/api/v1/app")).StatusCode;

    private async Task<JsonObject> GetKeyAsync(string id) => await (await _admin.GetAsync($"{Keys}/{id}")).ReadObjectAsync(HttpStatusCode.OK);

    [Fact]
    public async Task Create_ShowsTheSecretOnce_AndListShowsNameScopesPrefixAndTimesButNoSecret()
    {
        var created = await CreateKeyAsync("""{"name":"deploy pipeline","scopes":["admin"],"expiry":3600}""");

        var secret = (string)created["key"]!;
        Assert.StartsWith("herald_sk_", secret);
        Assert.Equal(secret[..14], (string?)created["prefix"]);
        Assert.Equal("""["admin"]""", created["scopes"]!.ToJsonString());
        Assert.Equal(_herald.Time!.GetUtcNow().AddHours(1), created["expiresAt"]!.GetValue<DateTimeOffset>());
        Assert.Equal(HttpStatusCode.OK, await StatusWithAsync(secret));

        var listText = await (await _admin.GetAsync(Keys)).Content.ReadAsStringAsync();
        Assert.DoesNotContain(secret[14..], listText, StringComparison.Ordinal);
        var list = JsonNode.Parse(listText)!["data"]!.AsArray();
        Assert.Equal(["bootstrap", "deploy pipeline"], list.Select(k => (string)k!["name"]!));
        var listed = list[1]!.AsObject();
        Assert.Equal(
            ["createdAt", "expiresAt", "id", "lastUsedAt", "name", "prefix", "previousSecretExpiresAt", "revokedAt", "scopes"],
            listed.Select(p => p.Key).Order(StringComparer.Ordinal));
        Assert.Equal(created["id"]!.ToString(), listed["id"]!.ToString());
        Assert.Equal(_herald.Time.GetUtcNow(), listed["lastUsedAt"]!.GetValue<DateTimeOffset>());
        Assert.Null(listed["revokedAt"]);
        Assert.Equal(listed.ToJsonString(), (await GetKeyAsync((string)created["id"]!)).ToJsonString());
    }

    [Fact]
    public async Task LastUsedAt_IsWrittenAtMostOnceAMinute()
    {
        var key = await CreateAdminKeyAsync();
        var id = (string)key["id"]!;
        var first = _herald.Time!.GetUtcNow();
        await StatusWithAsync((string)key["key"]!);

        _herald.Time.Advance(TimeSpan.FromSeconds(59));
        await StatusWithAsync((string)key["key"]!);
        Assert.Equal(first, (await GetKeyAsync(id))["lastUsedAt"]!.GetValue<DateTimeOffset>());

        _herald.Time.Advance(TimeSpan.FromSeconds(1));
        await StatusWithAsync((string)key["key"]!);
        Assert.Equal(first.AddMinutes(1), (await GetKeyAsync(id))["lastUsedAt"]!.GetValue<DateTimeOffset>());
    }

    [Fact]
    public async Task Revoke_StopsTheKeyAtOnce_AndListsWhen()
    {
        var key = await CreateAdminKeyAsync();
        var id = (string)key["id"]!;
        Assert.Equal(HttpStatusCode.OK, await StatusWithAsync((string)key["key"]!));

        Assert.Equal(HttpStatusCode.NoContent, (await _admin.DeleteAsync($"{Keys}/{id}")).StatusCode);

        await (await _herald.CreateClient((string)key["key"]!).GetAsync("/api/v1/app")).AssertErrorAsync(HttpStatusCode.Unauthorized, "unauthorized");
        Assert.Equal(_herald.Time!.GetUtcNow(), (await GetKeyAsync(id))["revokedAt"]!.GetValue<DateTimeOffset>());
        Assert.Equal(HttpStatusCode.NoContent, (await _admin.DeleteAsync($"{Keys}/{id}")).StatusCode);
        await (await _admin.PostJsonAsync($"{Keys}/{id}/rotate", "{}")).AssertErrorAsync(HttpStatusCode.Conflict, "api_key_inactive");
        await (await _admin.DeleteAsync($"{Keys}/tok_0000000000000000000000")).AssertErrorAsync(HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task Expire_WithADelay_EndsTheKeyThen_AndWithoutABody_Now()
    {
        var later = await CreateAdminKeyAsync("later");
        var now = await CreateAdminKeyAsync("now");

        Assert.Equal(HttpStatusCode.NoContent, (await _admin.PostJsonAsync($"{Keys}/{later["id"]}/expire", """{"expiry":60}""")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await _admin.PostAsync($"{Keys}/{now["id"]}/expire", null)).StatusCode);

        Assert.Equal(HttpStatusCode.Unauthorized, await StatusWithAsync((string)now["key"]!));
        _herald.Time!.Advance(TimeSpan.FromSeconds(59));
        Assert.Equal(HttpStatusCode.OK, await StatusWithAsync((string)later["key"]!));
        _herald.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusWithAsync((string)later["key"]!));
    }

    [Fact]
    public async Task Rotate_GivesANewSecret_TheOldOneWorksOnlyForTheGrace()
    {
        var key = await CreateAdminKeyAsync();
        var id = (string)key["id"]!;
        var old = (string)key["key"]!;

        var rotated = await (await _admin.PostJsonAsync($"{Keys}/{id}/rotate", """{"expiry":300}""")).ReadObjectAsync(HttpStatusCode.OK);

        var fresh = (string)rotated["key"]!;
        Assert.NotEqual(old, fresh);
        Assert.Equal((id, "ops", fresh[..14]), ((string)rotated["id"]!, (string)rotated["name"]!, (string)rotated["prefix"]!));
        Assert.Equal(HttpStatusCode.OK, await StatusWithAsync(fresh));
        _herald.Time!.Advance(TimeSpan.FromSeconds(299));
        Assert.Equal(HttpStatusCode.OK, await StatusWithAsync(old));
        _herald.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusWithAsync(old));
        Assert.Equal(HttpStatusCode.OK, await StatusWithAsync(fresh));

        // Without a grace the replaced secret stops at once.
        var again = await (await _admin.PostAsync($"{Keys}/{id}/rotate", null)).ReadObjectAsync(HttpStatusCode.OK);
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusWithAsync(fresh));
        Assert.Equal(HttpStatusCode.OK, await StatusWithAsync((string)again["key"]!));
    }

    [Fact]
    public async Task Bootstrap_IsTheFirstKey_CanBeRevoked_AndStaysRevokedWhenPresetAgain()
    {
        var bootstrap = Assert.Single((await (await _admin.GetAsync(Keys)).ReadObjectAsync(HttpStatusCode.OK))["data"]!.AsArray())!;
        Assert.Equal(("bootstrap", HeraldApplication.AdminToken[..14], """["admin"]"""),
            ((string)bootstrap["name"]!, (string)bootstrap["prefix"]!, bootstrap["scopes"]!.ToJsonString()));
        var ops = await CreateAdminKeyAsync();
        var opsClient = _herald.CreateClient((string)ops["key"]!);

        Assert.Equal(HttpStatusCode.NoContent, (await opsClient.DeleteAsync($"{Keys}/{bootstrap["id"]}")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusWithAsync(HeraldApplication.AdminToken));

        // A restart with the same Herald:Auth:AdminToken (HeraldApplication presets it) does not bring it back.
        _herald.StopServer();
        using var restarted = _herald.OnSameData();
        Assert.Equal(HttpStatusCode.Unauthorized, (await restarted.CreateAdminClient().GetAsync("/api/v1/app")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await restarted.CreateClient((string)ops["key"]!).GetAsync("/api/v1/app")).StatusCode);
    }

    [Fact]
    public async Task TheLastLastingFullAdminKey_CannotBeRevokedOrExpired()
    {
        var bootstrapId = (string)(await (await _admin.GetAsync(Keys)).ReadObjectAsync(HttpStatusCode.OK))["data"]![0]!["id"]!;
        // Neither a key that expires nor a read-only one keeps Herald manageable.
        await CreateKeyAsync("""{"name":"temp","scopes":["admin"],"expiry":3600}""");
        await CreateKeyAsync("""{"name":"audit","scopes":["admin:read"]}""");

        await (await _admin.DeleteAsync($"{Keys}/{bootstrapId}")).AssertErrorAsync(HttpStatusCode.Conflict, "last_admin_key");
        await (await _admin.PostJsonAsync($"{Keys}/{bootstrapId}/expire", """{"expiry":600}""")).AssertErrorAsync(HttpStatusCode.Conflict, "last_admin_key");
        Assert.Equal(HttpStatusCode.OK, await StatusWithAsync(HeraldApplication.AdminToken));

        var ops = await CreateAdminKeyAsync();
        Assert.Equal(HttpStatusCode.NoContent, (await _admin.DeleteAsync($"{Keys}/{bootstrapId}")).StatusCode);
        await (await _herald.CreateClient((string)ops["key"]!).DeleteAsync($"{Keys}/{ops["id"]}")).AssertErrorAsync(HttpStatusCode.Conflict, "last_admin_key");
    }

    [Theory]
    [InlineData("""{"scopes":["admin"]}""", "body.name", "missing")]
    [InlineData("""{"name":"x"}""", "body.scopes", "missing")]
    [InlineData("""{"name":"x","scopes":[]}""", "body.scopes", "missing")]
    [InlineData("""{"name":"x","scopes":["root"]}""", "body.scopes", "invalid_scope")]
    [InlineData("""{"name":"x","scopes":["app:"]}""", "body.scopes", "invalid_scope")]
    [InlineData("""{"name":"x","scopes":["app:acme\n"]}""", "body.scopes", "invalid_scope")]
    [InlineData("""{"name":"x","scopes":["app:acme","app:other"]}""", "body.scopes", "invalid_scope")]
    [InlineData("""{"name":"x","scopes":["admin:read","app:acme"]}""", "body.scopes", "invalid_scope")]
    [InlineData("""{"name":"x","scopes":["app:no-such-app"]}""", "body.scopes", "unknown_application")]
    [InlineData("""{"name":"x","scopes":["admin"],"expiry":59}""", "body.expiry", "out_of_range")]
    [InlineData("""{"name":"line\nbreak","scopes":["admin"]}""", "body.name", "invalid_characters")]
    public async Task Create_WithBadInput_Returns422_AndStoresNothing(string body, string location, string type)
    {
        await _admin.CreateAppAsync("Acme", "acme");
        await _admin.CreateAppAsync("Other", "other");

        var error = await (await _admin.PostJsonAsync(Keys, body)).AssertErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_error");

        var item = Assert.Single(error["detail"]!.AsArray())!;
        Assert.Equal(location, string.Join('.', item["loc"]!.AsArray().Select(l => (string)l!)));
        Assert.Equal(type, (string?)item["type"]);
        Assert.Single((await (await _admin.GetAsync(Keys)).ReadObjectAsync(HttpStatusCode.OK))["data"]!.AsArray());
    }

    [Fact]
    public async Task AppScope_NamedByUid_IsStoredByApplicationId_AndReadScopesCombine()
    {
        var app = await _admin.CreateAppAsync("Acme", "acme");

        var key = await CreateKeyAsync("""{"name":"acme","scopes":["app:acme:read","app:acme"]}""");
        var reader = await CreateKeyAsync("""{"name":"audit","scopes":["admin:read","app:acme:read"]}""");

        Assert.Equal($"""["app:{app["id"]}"]""", key["scopes"]!.ToJsonString());
        Assert.Equal("""["admin:read"]""", reader["scopes"]!.ToJsonString());
    }
}
