using Herald.Client.Tests.Infrastructure;
using Herald.Server.Tests.Infrastructure;

namespace Herald.Client.Tests.Health;

public sealed class HealthApiTests : IDisposable
{
    private readonly HeraldApplication _server = new();

    public void Dispose() => _server.Dispose();

    [Fact]
    public async Task Health_AnswersOk_WithoutAToken()
    {
        using var anonymous = _server.CreateHeraldClient(token: null);

        var health = await anonymous.Health.GetAsync(TestEnvironment.Timeout());

        Assert.True(health.IsHealthy);
        Assert.Equal("ok", health.Status);
        Assert.Matches(@"^\d+\.\d+\.\d+$", health.Version);
    }

    [Fact]
    public async Task OtherRoutes_WithoutAToken_Throw401()
    {
        using var anonymous = _server.CreateHeraldClient(token: null);

        var e = await Assert.ThrowsAsync<HeraldApiException>(() => anonymous.EventTypes.ListAsync());

        Assert.Equal(HttpStatusCode.Unauthorized, e.StatusCode);
    }
}
