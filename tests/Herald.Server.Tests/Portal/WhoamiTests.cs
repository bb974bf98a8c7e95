using Herald.Server.Tests.Infrastructure;

namespace Herald.Server.Tests.Portal;

/// <summary>GET /api/v1/auth/whoami: what the portal reads to show only the controls its token may use.</summary>
public sealed class WhoamiTests : IDisposable
{
    private readonly HeraldApplication _herald = new();

    public void Dispose() => _herald.Dispose();

    private async Task<string> PortalTokenAsync(object request)
    {
        var admin = _herald.CreateAdminClient();
        var app = await (await admin.PostAsJsonAsync("/api/v1/app", new { name = "Acme", uid = "acme" })).ReadObjectAsync(HttpStatusCode.Created);
        var access = await (await admin.PostAsJsonAsync("/api/v1/auth/app-portal-access/acme", request)).ReadObjectAsync(HttpStatusCode.OK);
        Assert.Equal((string?)app["id"], ((string)access["url"]!).Split('/', '#')[4]);
        return (string)access["token"]!;
    }

    private async Task<JsonObject> WhoamiAsync(string token) =>
        await (await _herald.CreateClient(token).GetAsync("/api/v1/auth/whoami")).ReadObjectAsync(HttpStatusCode.OK);

    [Fact]
    public async Task Whoami_AdminToken_IsAdminWithNoApplication()
    {
        var who = await WhoamiAsync(HeraldApplication.AdminToken);

        Assert.True((bool)who["admin"]!);
        Assert.Null(who["appId"]);
        Assert.False((bool)who["readOnly"]!);
    }

    [Fact]
    public async Task Whoami_FullPortalToken_HasItsApplicationAndEveryCapability()
    {
        var who = await WhoamiAsync(await PortalTokenAsync(new { }));

        Assert.False((bool)who["admin"]!);
        Assert.StartsWith("app_", (string?)who["appId"], StringComparison.Ordinal);
        Assert.Equal(["ViewBase", "ViewEndpointSecret", "ManageEndpointSecret", "ManageTransformations", "CreateAttempts", "ManageEndpoint"],
            who["capabilities"]!.AsArray().Select(c => (string)c!));
    }

    [Fact]
    public async Task Whoami_ReadOnlyPortalToken_IsReadOnlyWithViewBaseOnly()
    {
        var who = await WhoamiAsync(await PortalTokenAsync(new { readOnly = true }));

        Assert.True((bool)who["readOnly"]!);
        Assert.Equal(["ViewBase"], who["capabilities"]!.AsArray().Select(c => (string)c!));
    }

    [Fact]
    public async Task Whoami_LimitedPortalToken_ListsTheGivenCapabilities()
    {
        var who = await WhoamiAsync(await PortalTokenAsync(new { capabilities = new[] { "ViewBase", "CreateAttempts" } }));

        Assert.Equal(["ViewBase", "CreateAttempts"], who["capabilities"]!.AsArray().Select(c => (string)c!));
    }

    [Fact]
    public async Task Whoami_WithoutToken_Returns401()
    {
        var response = await _herald.CreateClient(token: null).GetAsync("/api/v1/auth/whoami");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }
}
