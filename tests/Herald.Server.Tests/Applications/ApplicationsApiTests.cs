using Herald.Server.Storage;
using Herald.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Herald.Server.Tests.Applications;

public sealed class ApplicationsApiTests : IDisposable
{
    private readonly HeraldApplication _herald = new();
    private readonly HttpClient _client;

    public ApplicationsApiTests() => _client = _herald.CreateAdminClient();

    public void Dispose() => _herald.Dispose();

    [Fact]
    public async Task Create_ReturnsApplicationWithPrefixedId()
    {
        var response = await _client.PostAsJsonAsync("/api/v1/app", new { name = "Acme", uid = "acme", metadata = new { plan = "pro" } });
        var app = await response.ReadObjectAsync(HttpStatusCode.Created);

        Assert.StartsWith("app_", (string?)app["id"]);
        Assert.Equal("acme", (string?)app["uid"]);
        Assert.Equal("Acme", (string?)app["name"]);
        Assert.Equal("pro", (string?)app["metadata"]!["plan"]);
        Assert.Equal(app["createdAt"]!.ToString(), app["updatedAt"]!.ToString());
    }

    [Fact]
    public async Task Create_WithThrottleRate_ReturnsAndKeepsIt()
    {
        var created = await (await _client.PostAsJsonAsync("/api/v1/app", new { name = "Acme", throttleRate = 25 })).ReadObjectAsync(HttpStatusCode.Created);
        var fetched = await (await _client.GetAsync($"/api/v1/app/{created["id"]}")).ReadObjectAsync(HttpStatusCode.OK);

        Assert.Equal(25, (int?)created["throttleRate"]);
        Assert.Equal(25, (int?)fetched["throttleRate"]);
        Assert.Null(created["uid"]);
        Assert.Empty(created["metadata"]!.AsObject());
    }

    [Fact]
    public async Task Create_WithoutName_Returns422OnName()
    {
        var error = await (await _client.PostAsJsonAsync("/api/v1/app", new { uid = "acme" })).AssertErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_error");

        Assert.Equal(["body", "name"], error["detail"]![0]!["loc"]!.AsArray().Select(n => (string?)n));
    }

    [Fact]
    public async Task Create_DuplicateUid_Returns409()
    {
        await _client.CreateAppAsync("Acme", "acme");

        var response = await _client.PostAsJsonAsync("/api/v1/app", new { name = "Other", uid = "acme" });

        await response.AssertErrorAsync(HttpStatusCode.Conflict, "conflict");
    }

    [Fact]
    public async Task Create_GetIfExists_ReturnsExistingWith200AndDoesNotDuplicate()
    {
        var first = await _client.CreateAppAsync("Acme", "acme");

        var again = await (await _client.PostAsJsonAsync("/api/v1/app?get_if_exists=true", new { name = "Renamed", uid = "acme" }))
            .ReadObjectAsync(HttpStatusCode.OK);
        var list = await (await _client.GetAsync("/api/v1/app")).ReadObjectAsync(HttpStatusCode.OK);

        Assert.Equal((string?)first["id"], (string?)again["id"]);
        Assert.Equal("Acme", (string?)again["name"]);
        Assert.Single(list["data"]!.AsArray());
    }

    [Fact]
    public async Task Create_GetIfExists_WithNewUid_Creates201()
    {
        var created = await (await _client.PostAsJsonAsync("/api/v1/app?get_if_exists=true", new { name = "Acme", uid = "acme" }))
            .ReadObjectAsync(HttpStatusCode.Created);

        Assert.Equal("acme", (string?)created["uid"]);
    }

    [Fact]
    public async Task Get_ByUid_ReturnsSameApplicationAsById()
    {
        var created = await _client.CreateAppAsync("Acme", "acme");

        var byId = await (await _client.GetAsync($"/api/v1/app/{created["id"]}")).ReadObjectAsync(HttpStatusCode.OK);
        var byUid = await (await _client.GetAsync("/api/v1/app/acme")).ReadObjectAsync(HttpStatusCode.OK);

        Assert.Equal(created.ToJsonString(), byId.ToJsonString());
        Assert.Equal(created.ToJsonString(), byUid.ToJsonString());
    }

    [Theory]
    [InlineData("no-such-app")]
    [InlineData("app_0000000000000000000000")]
    public async Task Get_Unknown_Returns404(string appId)
    {
        await (await _client.GetAsync($"/api/v1/app/{appId}")).AssertErrorAsync(HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task Put_ExistingApplication_ReplacesItAndReturns200()
    {
        var created = await (await _client.PostAsJsonAsync("/api/v1/app", new { name = "Acme", uid = "acme", throttleRate = 10, metadata = new { plan = "pro" } }))
            .ReadObjectAsync(HttpStatusCode.Created);

        var updated = await (await _client.PutAsJsonAsync("/api/v1/app/acme", new { name = "Acme Corp", uid = "acme", metadata = new { tier = "gold" } }))
            .ReadObjectAsync(HttpStatusCode.OK);
        var fetched = await (await _client.GetAsync($"/api/v1/app/{created["id"]}")).ReadObjectAsync(HttpStatusCode.OK);

        Assert.Equal((string?)created["id"], (string?)updated["id"]);
        Assert.Equal("Acme Corp", (string?)fetched["name"]);
        Assert.Null(fetched["throttleRate"]);
        Assert.Equal("gold", (string?)fetched["metadata"]!["tier"]);
        Assert.Null(fetched["metadata"]!["plan"]);
        Assert.Equal(created["createdAt"]!.ToString(), fetched["createdAt"]!.ToString());
    }

    [Fact]
    public async Task Put_MissingApplication_CreatesItWithPathAsUidAndReturns201()
    {
        var created = await (await _client.PutAsJsonAsync("/api/v1/app/acme", new { name = "Acme" })).ReadObjectAsync(HttpStatusCode.Created);
        var fetched = await (await _client.GetAsync("/api/v1/app/acme")).ReadObjectAsync(HttpStatusCode.OK);

        Assert.StartsWith("app_", (string?)created["id"]);
        Assert.Equal("acme", (string?)created["uid"]);
        Assert.Equal((string?)created["id"], (string?)fetched["id"]);
    }

    [Fact]
    public async Task Put_MissingApplication_WithDifferentBodyUid_Returns422()
    {
        var response = await _client.PutAsJsonAsync("/api/v1/app/acme", new { name = "Acme", uid = "other" });

        await response.AssertErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_error");
        await (await _client.GetAsync("/api/v1/app/acme")).AssertErrorAsync(HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task Patch_ChangesOnlySentFields()
    {
        var created = await (await _client.PostAsJsonAsync("/api/v1/app", new { name = "Acme", uid = "acme", throttleRate = 10, metadata = new { plan = "pro" } }))
            .ReadObjectAsync(HttpStatusCode.Created);

        var patched = await (await _client.PatchAsJsonAsync("/api/v1/app/acme", new { name = "Acme Corp" })).ReadObjectAsync(HttpStatusCode.OK);
        var fetched = await (await _client.GetAsync($"/api/v1/app/{created["id"]}")).ReadObjectAsync(HttpStatusCode.OK);

        Assert.Equal(patched.ToJsonString(), fetched.ToJsonString());
        Assert.Equal("Acme Corp", (string?)fetched["name"]);
        Assert.Equal("acme", (string?)fetched["uid"]);
        Assert.Equal(10, (int?)fetched["throttleRate"]);
        Assert.Equal("pro", (string?)fetched["metadata"]!["plan"]);
    }

    [Fact]
    public async Task Patch_UidNull_ClearsUid()
    {
        var created = await _client.CreateAppAsync("Acme", "acme");

        var patched = await (await _client.SendJsonAsync(HttpMethod.Patch, "/api/v1/app/acme", """{"uid": null}""")).ReadObjectAsync(HttpStatusCode.OK);

        Assert.Null(patched["uid"]);
        Assert.Equal("Acme", (string?)patched["name"]);
        await (await _client.GetAsync("/api/v1/app/acme")).AssertErrorAsync(HttpStatusCode.NotFound, "not_found");
        var byId = await (await _client.GetAsync($"/api/v1/app/{created["id"]}")).ReadObjectAsync(HttpStatusCode.OK);
        Assert.Null(byId["uid"]);
    }

    [Fact]
    public async Task Patch_NameNull_Returns422()
    {
        await _client.CreateAppAsync("Acme", "acme");

        var response = await _client.SendJsonAsync(HttpMethod.Patch, "/api/v1/app/acme", """{"name": null}""");

        await response.AssertErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_error");
    }

    [Fact]
    public async Task Patch_Unknown_Returns404()
    {
        var response = await _client.PatchAsJsonAsync("/api/v1/app/nope", new { name = "X" });

        await response.AssertErrorAsync(HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task Delete_Returns204ThenGetReturns404()
    {
        var created = await _client.CreateAppAsync("Acme", "acme");

        var deleted = await _client.DeleteAsync("/api/v1/app/acme");

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        await (await _client.GetAsync($"/api/v1/app/{created["id"]}")).AssertErrorAsync(HttpStatusCode.NotFound, "not_found");
        await (await _client.DeleteAsync("/api/v1/app/acme")).AssertErrorAsync(HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task Delete_RemovesTheApplicationsEndpointsAndMessages()
    {
        var app = await _client.CreateAppAsync("Acme", "acme");
        var appId = (string)app["id"]!;
        var endpoint = await _client.CreateEndpointAsync(appId);
        var message = await _client.PublishAsync(appId);

        (await _client.DeleteAsync($"/api/v1/app/{appId}")).EnsureSuccessStatusCode();

        var store = _herald.Services.GetRequiredService<IHeraldStore>();
        Assert.Null(await store.GetEndpointAsync(appId, (string)endpoint["id"]!, CancellationToken.None));
        Assert.Null(await store.GetMessageAsync(appId, (string)message["id"]!, CancellationToken.None));
        Assert.Empty(await store.GetEndpointSecretsAsync((string)endpoint["id"]!, DateTimeOffset.UtcNow, CancellationToken.None));

        // A new application with the same uid starts empty.
        await _client.CreateAppAsync("Acme again", "acme");
        var endpoints = await (await _client.GetAsync("/api/v1/app/acme/endpoint")).ReadObjectAsync(HttpStatusCode.OK);
        var messages = await (await _client.GetAsync("/api/v1/app/acme/msg")).ReadObjectAsync(HttpStatusCode.OK);
        Assert.Empty(endpoints["data"]!.AsArray());
        Assert.Empty(messages["data"]!.AsArray());
    }
}
