using Herald.Client.Tests.Infrastructure;
using Herald.Server.Tests.Infrastructure;

namespace Herald.Client.Tests.Auth;

public sealed class AuthenticationApiTests : IDisposable
{
    private readonly HeraldApplication _server = new();
    private readonly HeraldClient _herald;

    public AuthenticationApiTests() => _herald = _server.CreateHeraldClient();

    public void Dispose()
    {
        _herald.Dispose();
        _server.Dispose();
    }

    [Fact]
    public async Task AppPortalAccess_GivesATokenThatReachesOneApplicationOnly()
    {
        await _herald.CreateShopAsync("order.created");
        await _herald.Applications.CreateAsync(new ApplicationIn { Name = "Other", Uid = "other" });

        var access = await _herald.Authentication.AppPortalAccessAsync("shop", new AppPortalAccessIn { Expiry = TimeSpan.FromHours(1) });
        Assert.Contains("#token=", access.Url, StringComparison.Ordinal);

        using var shop = _server.CreateHeraldClient(access.Token);
        Assert.Equal("shop", (await shop.Applications.GetAsync("shop")).Uid);
        await shop.PublishAsync("shop", "order.created");

        var forbidden = await Assert.ThrowsAsync<HeraldApiException>(() => shop.Applications.ListAsync());
        Assert.Equal((HttpStatusCode.Forbidden, "forbidden"), (forbidden.StatusCode, forbidden.Code));
        var hidden = await Assert.ThrowsAsync<HeraldApiException>(() => shop.Applications.GetAsync("other"));
        Assert.Equal(HttpStatusCode.NotFound, hidden.StatusCode);
    }

    [Fact]
    public async Task AppPortalAccess_CreatesTheApplicationOnTheFly()
    {
        var access = await _herald.Authentication.AppPortalAccessAsync("tenant-9", new AppPortalAccessIn { Application = new ApplicationIn { Name = "Tenant 9" } });

        Assert.NotEmpty(access.Token);
        Assert.Equal("Tenant 9", (await _herald.Applications.GetAsync("tenant-9")).Name);
    }
}
