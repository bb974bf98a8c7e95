using Herald.Server.Tests.Infrastructure;

namespace Herald.Server.Tests.Api;

public sealed class MetricsTests : IAsyncLifetime
{
    private readonly HeraldApplication _herald = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _herald.DisposeAsync();

    [Fact]
    public async Task Metrics_AreServedInPrometheusFormat_WithoutAToken_AndCountPublishedMessages()
    {
        using var admin = _herald.CreateAdminClient();
        await admin.CreateAppAsync("Shop", uid: "shop");
        await admin.PublishAsync("shop", "order.created");

        using var anonymous = _herald.CreateClient();
        var response = await anonymous.GetAsync("/metrics");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
        var text = await response.Content.ReadAsStringAsync();
        var published = text.Split('\n').Single(l => l.StartsWith("herald_messages_published_total", StringComparison.Ordinal));
        Assert.True(double.Parse(published.Split(' ')[^1], System.Globalization.CultureInfo.InvariantCulture) >= 1, published);
        Assert.DoesNotContain("shop", text, StringComparison.Ordinal); // no application ids or names in metrics
    }

    [Fact]
    public async Task Metrics_CanBeTurnedOff()
    {
        _herald.With("Herald:Metrics:Prometheus", "false");
        using var anonymous = _herald.CreateClient();

        var response = await anonymous.GetAsync("/metrics");

        Assert.NotEqual(HttpStatusCode.OK, response.StatusCode);
    }
}
