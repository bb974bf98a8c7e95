using System.Globalization;
using Herald.Server.Tests.Delivery;
using Herald.Server.Tests.Infrastructure;

namespace Herald.Server.Tests.Security;

/// <summary>
/// The HTTP client metrics of deliveries name no receiver: no host, port or IP address in a label, so the number of
/// series does not grow with the number of endpoints. Herald runs as its own process, so only its own deliveries
/// reach its System.Net.Http meter (in memory, every HttpClient of the test process would).
/// </summary>
public sealed class MetricsCardinalityTests : IAsyncDisposable
{
    private readonly string _data = Directory.CreateTempSubdirectory("herald-cardinality").FullName;
    private readonly List<WebhookReceiver> _receivers = [];

    public async ValueTask DisposeAsync()
    {
        foreach (var receiver in _receivers)
        {
            await receiver.DisposeAsync();
        }

        try
        {
            Directory.Delete(_data, recursive: true);
        }
        catch (IOException)
        {
            // Left behind in the temp folder: harmless.
        }
    }

    /// <summary>Endpoints on new ports: <paramref name="ok"/> receivers answering 200, as many answering 500, as many closed ports.</summary>
    private async Task<List<string>> AddEndpointsAsync(HttpClient admin, int ok)
    {
        var urls = new List<string>();
        for (var i = 0; i < ok; i++)
        {
            var good = await WebhookReceiver.StartAsync();
            var failing = await WebhookReceiver.StartAsync();
            failing.Respond = DeliveryTestKit.Always(500);
            _receivers.Add(good);
            _receivers.Add(failing);
            urls.Add(good.Url());
            urls.Add(failing.Url());
            urls.Add($"http://127.0.0.1:{HeraldProcess.FreePort()}/closed");
        }

        foreach (var url in urls)
        {
            await admin.CreateEndpointAsync("shop", url);
        }

        return urls;
    }

    private static async Task<string> ScrapeAsync(HttpClient client) => await client.GetStringAsync("/metrics");

    private static double AttemptsMade(string metrics) => metrics.Split('\n')
        .Where(l => l.StartsWith("herald_delivery_attempts_total", StringComparison.Ordinal))
        .Sum(l => double.Parse(l.Split(' ')[^1], CultureInfo.InvariantCulture));

    private static List<string> HttpClientSeries(string metrics) =>
        [.. metrics.Split('\n').Where(l => l.StartsWith("http_client_", StringComparison.Ordinal)).Select(l => l[..l.LastIndexOf(' ')])];

    private static async Task<string> ScrapeAfterAttemptsAsync(HttpClient client, int attempts)
    {
        var metrics = "";
        await DeliveryTestKit.EventuallyAsync(async () => AttemptsMade(metrics = await ScrapeAsync(client)) >= attempts, $"{attempts} attempts are counted");
        return metrics;
    }

    [Fact]
    public async Task HttpClientSeries_StayTheSame_AsEndpointsMultiply_AndNameNoReceiver()
    {
        await using var herald = await HeraldProcess.StartAsync(_data, new Dictionary<string, string>
        {
            ["Herald__Auth__AdminToken"] = HeraldApplication.AdminToken,
            ["Herald__Delivery__AllowedNetworks__0"] = DeliveryTestKit.Loopback,
        });
        using var admin = herald.CreateClient(HeraldApplication.AdminToken);
        using var scraper = herald.CreateClient();
        await admin.CreateAppAsync("Shop", "shop");

        var first = await AddEndpointsAsync(admin, ok: 2);
        await admin.PublishAsync("shop");
        var before = HttpClientSeries(await ScrapeAfterAttemptsAsync(scraper, first.Count));

        var more = await AddEndpointsAsync(admin, ok: 10);
        await admin.PublishAsync("shop");
        var afterText = await ScrapeAfterAttemptsAsync(scraper, first.Count * 2 + more.Count);
        var after = HttpClientSeries(afterText);

        Assert.NotEmpty(before);
        Assert.Equal(before.Count, after.Count);
        Assert.All(after, series =>
        {
            Assert.DoesNotContain("server_address", series, StringComparison.Ordinal);
            Assert.DoesNotContain("server_port", series, StringComparison.Ordinal);
            Assert.DoesNotContain("network_peer_address", series, StringComparison.Ordinal);
        });
        foreach (var url in first.Concat(more))
        {
            Assert.DoesNotContain($":{new Uri(url).Port}", afterText, StringComparison.Ordinal);
        }
    }
}
