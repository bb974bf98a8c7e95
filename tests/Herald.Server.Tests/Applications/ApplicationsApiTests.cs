using Herald.Server.Tests.Infrastructure;

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
    public async Task Get_ByUid_ReturnsSameApplicationAsById()
    {
        var created = await _client.CreateAppAsync("Acme", "acme");

        var byId = await (await _client.GetAsync($"/api/v1/app/{created["id"]}")).ReadObjectAsync(HttpStatusCode.OK);
        var byUid = await (await _client.GetAsync("/api/v1/app/acme")).ReadObjectAsync(HttpStatusCode.OK);

        Assert.Equal(created.ToJsonString(), byId.ToJsonString());
        Assert.Equal(created.ToJsonString(), byUid.ToJsonString());
    }
}
