using Herald.Server.Tests.Infrastructure;

namespace Herald.Server.Tests.Auth;

/// <summary>The options of <c>app-portal-access</c> (capabilities, sessionId, featureFlags), logout and expire-all.</summary>
public sealed class AppPortalOptionsTests : IAsyncLifetime
{
    private readonly HeraldApplication _herald = new HeraldApplication().WithFakeTime();
    private HttpClient _admin = null!;
    private string _appId = null!;
    private string _endpointId = null!;

    public async Task InitializeAsync()
    {
        _admin = _herald.CreateAdminClient();
        await _admin.CreateEventTypeAsync("invoice.paid");
        _appId = (string)(await _admin.CreateAppAsync("Acme", "acme"))["id"]!;
        _endpointId = (string)(await _admin.CreateEndpointAsync(_appId))["id"]!;
    }

    public Task DisposeAsync()
    {
        _herald.Dispose();
        return Task.CompletedTask;
    }

    private async Task<HttpClient> PortalAsync(string body, string? app = null)
    {
        var access = await (await _admin.PostJsonAsync($"/api/v1/auth/app-portal-access/{app ?? _appId}", body)).ReadObjectAsync(HttpStatusCode.OK);
        return _herald.CreateClient((string)access["token"]!);
    }

    private Task<HttpResponseMessage> ReadAppAsync(HttpClient client) => client.GetAsync($"/api/v1/app/{_appId}");

    [Fact]
    public async Task ViewBaseOnly_ReadsButCannotSeeSecretsNorWrite()
    {
        var client = await PortalAsync("""{"capabilities":["ViewBase"]}""");

        await (await client.GetAsync($"/api/v1/app/{_appId}/endpoint/{_endpointId}")).ReadObjectAsync(HttpStatusCode.OK);
        await (await client.GetAsync($"/api/v1/app/{_appId}/endpoint/{_endpointId}/secret")).AssertErrorAsync(HttpStatusCode.Forbidden, "missing_capability");
        await (await client.PostJsonAsync($"/api/v1/app/{_appId}/endpoint", """{"url":"https://example.com/new"}""")).AssertErrorAsync(HttpStatusCode.Forbidden, "missing_capability");
        await (await client.PostJsonAsync($"/api/v1/app/{_appId}/msg", """{"eventType":"invoice.paid","payload":{}}""")).AssertErrorAsync(HttpStatusCode.Forbidden, "missing_capability");
        var endpoints = await (await _admin.GetAsync($"/api/v1/app/{_appId}/endpoint")).ReadObjectAsync(HttpStatusCode.OK);
        Assert.Single(endpoints["data"]!.AsArray());
    }

    [Fact]
    public async Task ViewEndpointSecret_ReadsTheSecret_ButCannotRotateIt()
    {
        var client = await PortalAsync("""{"capabilities":["ViewBase","ViewEndpointSecret"]}""");

        await (await client.GetAsync($"/api/v1/app/{_appId}/endpoint/{_endpointId}/secret")).ReadObjectAsync(HttpStatusCode.OK);
        await (await client.PostJsonAsync($"/api/v1/app/{_appId}/endpoint/{_endpointId}/secret/rotate", "{}")).AssertErrorAsync(HttpStatusCode.Forbidden, "missing_capability");
    }

    [Fact]
    public async Task ManageEndpointSecret_RotatesTheSecret_ButCannotChangeTheEndpoint()
    {
        var client = await PortalAsync("""{"capabilities":["ViewBase","ManageEndpointSecret"]}""");
        var before = (string?)(await (await _admin.GetAsync($"/api/v1/app/{_appId}/endpoint/{_endpointId}/secret")).ReadObjectAsync(HttpStatusCode.OK))["key"];

        Assert.Equal(HttpStatusCode.NoContent, (await client.PostJsonAsync($"/api/v1/app/{_appId}/endpoint/{_endpointId}/secret/rotate", "{}")).StatusCode);
        await (await client.SendJsonAsync(HttpMethod.Patch, $"/api/v1/app/{_appId}/endpoint/{_endpointId}", """{"description":"x"}""")).AssertErrorAsync(HttpStatusCode.Forbidden, "missing_capability");

        var after = (string?)(await (await client.GetAsync($"/api/v1/app/{_appId}/endpoint/{_endpointId}/secret")).ReadObjectAsync(HttpStatusCode.OK))["key"];
        Assert.NotEqual(before, after);
    }

    [Fact]
    public async Task ManageEndpoint_ManagesEndpoints_ButCannotPublish()
    {
        var client = await PortalAsync("""{"capabilities":["ViewBase","ManageEndpoint"]}""");

        await (await client.PostJsonAsync($"/api/v1/app/{_appId}/endpoint", """{"url":"https://example.com/new"}""")).ReadObjectAsync(HttpStatusCode.Created);
        await (await client.GetAsync($"/api/v1/app/{_appId}/endpoint/{_endpointId}/secret")).ReadObjectAsync(HttpStatusCode.OK);
        await (await client.PostJsonAsync($"/api/v1/app/{_appId}/msg", """{"eventType":"invoice.paid","payload":{}}""")).AssertErrorAsync(HttpStatusCode.Forbidden, "missing_capability");
        await (await client.PostJsonAsync($"/api/v1/app/{_appId}/endpoint/{_endpointId}/send-example", """{"eventType":"invoice.paid"}""")).AssertErrorAsync(HttpStatusCode.Forbidden, "missing_capability");
    }

    [Fact]
    public async Task CreateAttempts_SendsExamples_ButCannotChangeTheEndpoint()
    {
        var client = await PortalAsync("""{"capabilities":["ViewBase","CreateAttempts"]}""");

        var sent = await client.PostJsonAsync($"/api/v1/app/{_appId}/endpoint/{_endpointId}/send-example", """{"eventType":"invoice.paid"}""");
        Assert.True(sent.IsSuccessStatusCode, await sent.Content.ReadAsStringAsync());
        await (await client.DeleteAsync($"/api/v1/app/{_appId}/endpoint/{_endpointId}")).AssertErrorAsync(HttpStatusCode.Forbidden, "missing_capability");
    }

    [Theory]
    [InlineData("""{"capabilities":["ViewEndpointSecret"]}""", """["body","capabilities"]""", "missing_view_base")]
    [InlineData("""{"capabilities":["ViewBase","Teleport"]}""", """["body","capabilities","1"]""", "unknown_capability")]
    [InlineData("""{"readOnly":true,"capabilities":["ViewBase","ManageTransformations"]}""", """["body","capabilities","1"]""", "conflicts_with_read_only")]
    [InlineData("""{"readOnly":true,"capabilities":["ViewBase","ManageEndpoint"]}""", """["body","capabilities","1"]""", "conflicts_with_read_only")]
    [InlineData("""{"featureFlags":["beta"]}""", """["body","featureFlags"]""", "unsupported")]
    [InlineData("""{"sessionId":"has space"}""", """["body","sessionId"]""", "pattern_mismatch")]
    [InlineData("""{"expiry":3599}""", """["body","expiry"]""", "out_of_range")]
    public async Task RefusedOption_Returns422NamingIt_AndIssuesNoToken(string body, string loc, string type)
    {
        var error = await (await _admin.PostJsonAsync($"/api/v1/auth/app-portal-access/{_appId}", body)).AssertErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_error");

        var item = Assert.Single(error["detail"]!.AsArray())!;
        Assert.Equal(loc, item["loc"]!.ToJsonString());
        Assert.Equal(type, (string?)item["type"]);
    }

    [Fact]
    public async Task Logout_EndsTheCallingToken_Only()
    {
        var leaving = await PortalAsync("{}");
        var staying = await PortalAsync("{}");
        var readOnly = await PortalAsync("""{"readOnly":true}""");

        Assert.Equal(HttpStatusCode.NoContent, (await leaving.PostAsync("/api/v1/auth/logout", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await readOnly.PostAsync("/api/v1/auth/logout", null)).StatusCode);

        await (await ReadAppAsync(leaving)).AssertErrorAsync(HttpStatusCode.Unauthorized, "unauthorized");
        await (await ReadAppAsync(readOnly)).AssertErrorAsync(HttpStatusCode.Unauthorized, "unauthorized");
        await (await ReadAppAsync(staying)).ReadObjectAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Logout_WithAnAdminToken_IsRefused_AndTheTokenKeepsWorking()
    {
        await (await _admin.PostAsync("/api/v1/auth/logout", null)).AssertErrorAsync(HttpStatusCode.BadRequest, "admin_token_logout");

        await (await ReadAppAsync(_admin)).ReadObjectAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task ExpireAll_WithSessionIds_ExpiresOnlyThoseSessions()
    {
        var s1 = await PortalAsync("""{"sessionId":"user_1"}""");
        var s2 = await PortalAsync("""{"sessionId":"user@2"}""");
        var none = await PortalAsync("{}");

        Assert.Equal(HttpStatusCode.NoContent, (await _admin.PostJsonAsync($"/api/v1/auth/app/{_appId}/expire-all", """{"sessionIds":["user_1"]}""")).StatusCode);

        await (await ReadAppAsync(s1)).AssertErrorAsync(HttpStatusCode.Unauthorized, "unauthorized");
        await (await ReadAppAsync(s2)).ReadObjectAsync(HttpStatusCode.OK);
        await (await ReadAppAsync(none)).ReadObjectAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task ExpireAll_WithExpiry_ExpiresEveryTokenOfTheApplicationThen_AndNoOtherApplications()
    {
        var ours = await PortalAsync("{}");
        var otherAppId = (string)(await _admin.CreateAppAsync("Other", "other"))["id"]!;
        var theirs = await PortalAsync("{}", otherAppId);

        Assert.Equal(HttpStatusCode.NoContent, (await _admin.PostJsonAsync("/api/v1/auth/app/acme/expire-all", """{"expiry":60}""")).StatusCode);

        _herald.Time!.Advance(TimeSpan.FromSeconds(59));
        await (await ReadAppAsync(ours)).ReadObjectAsync(HttpStatusCode.OK);
        _herald.Time.Advance(TimeSpan.FromSeconds(1));
        await (await ReadAppAsync(ours)).AssertErrorAsync(HttpStatusCode.Unauthorized, "unauthorized");
        await (await theirs.GetAsync($"/api/v1/app/{otherAppId}")).ReadObjectAsync(HttpStatusCode.OK);
        await (await ReadAppAsync(_admin)).ReadObjectAsync(HttpStatusCode.OK);
    }

    [Theory]
    [InlineData("""{"expiry":-1}""", """["body","expiry"]""")]
    [InlineData("""{"expiry":259201}""", """["body","expiry"]""")]
    [InlineData("""{"sessionIds":["ok","not ok"]}""", """["body","sessionIds","1"]""")]
    public async Task ExpireAll_WithInvalidInput_Returns422AndExpiresNothing(string body, string loc)
    {
        var client = await PortalAsync("{}");

        var error = await (await _admin.PostJsonAsync($"/api/v1/auth/app/{_appId}/expire-all", body)).AssertErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_error");

        Assert.Equal(loc, error["detail"]![0]!["loc"]!.ToJsonString());
        await (await ReadAppAsync(client)).ReadObjectAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task ExpireAll_ForAnUnknownApplication_Returns404()
    {
        await (await _admin.PostJsonAsync("/api/v1/auth/app/no-such-app/expire-all", "{}")).AssertErrorAsync(HttpStatusCode.NotFound, "not_found");
    }
}
