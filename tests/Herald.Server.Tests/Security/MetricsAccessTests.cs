using System.Net.Http.Headers;
using Herald.Server.Diagnostics;
using Herald.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Herald.Server.Tests.Security;

/// <summary>
/// <c>/metrics</c> answers anyone only while Herald can be reached from this machine alone; otherwise it takes the
/// metrics token (Herald:Metrics:Token) or an admin token.
/// </summary>
public sealed class MetricsAccessTests : IAsyncLifetime
{
    private const string MetricsToken = "metrics_scraper_token_0123456789";

    private readonly HeraldApplication _herald = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _herald.DisposeAsync();

    /// <summary>Makes the in-memory server report these listening addresses, as Kestrel would.</summary>
    private void ListenOn(params string[] addresses)
    {
        var feature = new ServerAddressesFeature();
        foreach (var address in addresses)
        {
            feature.Addresses.Add(address);
        }

        _herald.Server.Features.Set<IServerAddressesFeature>(feature);
    }

    private async Task<HttpResponseMessage> ScrapeAsync(string? token = null, (string Name, string Value)? header = null)
    {
        using var client = _herald.CreateClient();
        var request = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        if (header is { } h)
        {
            request.Headers.Add(h.Name, h.Value);
        }

        return await client.SendAsync(request);
    }

    [Theory]
    [InlineData("http://0.0.0.0:8071")]
    [InlineData("http://[::]:8071")]
    [InlineData("http://192.0.2.10:8071")]
    [InlineData("http://herald.internal:8071")]
    public async Task Metrics_WhenListeningBeyondLoopback_NeedAToken(string address)
    {
        ListenOn("http://127.0.0.1:8071", address);

        await (await ScrapeAsync()).AssertErrorAsync(HttpStatusCode.Unauthorized, "unauthorized");
        Assert.Equal(HttpStatusCode.OK, (await ScrapeAsync(HeraldApplication.AdminToken)).StatusCode);
    }

    [Theory]
    [InlineData("http://127.0.0.1:8071")]
    [InlineData("http://localhost:8071")]
    [InlineData("https://[::1]:8443")]
    public async Task Metrics_WhenListeningOnLoopbackOnly_AreAnonymous(string address)
    {
        ListenOn(address);

        Assert.Equal(HttpStatusCode.OK, (await ScrapeAsync()).StatusCode);
    }

    [Theory]
    [InlineData("X-Forwarded-For", "203.0.113.5")]
    [InlineData("Forwarded", "for=203.0.113.5")]
    public async Task Metrics_RelayedByAProxy_NeedAToken_EvenOnLoopback(string name, string value)
    {
        ListenOn("http://127.0.0.1:8071");

        await (await ScrapeAsync(header: (name, value))).AssertErrorAsync(HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Fact]
    public async Task MetricsToken_OpensMetrics_AndOnlyMetrics()
    {
        _herald.With("Herald:Metrics:Token", MetricsToken).With("Herald:Metrics:AllowAnonymous", "false");

        await (await ScrapeAsync()).AssertErrorAsync(HttpStatusCode.Unauthorized, "unauthorized");
        await (await ScrapeAsync("metrics_scraper_token_wrong_0123456")).AssertErrorAsync(HttpStatusCode.Unauthorized, "unauthorized");
        var scraped = await ScrapeAsync(MetricsToken);
        Assert.Equal(HttpStatusCode.OK, scraped.StatusCode);
        Assert.Contains("herald_", await scraped.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var scraper = _herald.CreateClient(MetricsToken);
        Assert.Equal(HttpStatusCode.Unauthorized, (await scraper.GetAsync("/api/v1/app")).StatusCode);
    }

    [Fact]
    public async Task AppToken_IsRefused_WhenMetricsNeedAToken()
    {
        _herald.With("Herald:Metrics:AllowAnonymous", "false");
        using var admin = _herald.CreateAdminClient();
        var access = await (await admin.PostAsJsonAsync("/api/v1/auth/app-portal-access/shop", new { application = new { name = "Shop" } })).ReadObjectAsync(HttpStatusCode.OK);

        await (await ScrapeAsync((string)access["token"]!)).AssertErrorAsync(HttpStatusCode.Forbidden, "forbidden");
        Assert.Equal(HttpStatusCode.OK, (await ScrapeAsync(HeraldApplication.AdminToken)).StatusCode);
    }

    [Fact]
    public async Task AllowAnonymous_OpensMetrics_WhateverHeraldListensOn()
    {
        _herald.With("Herald:Metrics:AllowAnonymous", "true");
        ListenOn("http://0.0.0.0:8071");

        Assert.Equal(HttpStatusCode.OK, (await ScrapeAsync()).StatusCode);
    }

    [Fact]
    public async Task ShortMetricsToken_StopsStartup_NamingTheSetting()
    {
        var data = Directory.CreateTempSubdirectory("herald-metrics-token").FullName;
        try
        {
            await using var herald = await HeraldProcess.StartAsync(data, new Dictionary<string, string> { ["Herald__Metrics__Token"] = "short" }, waitUntilHealthy: false);

            Assert.Equal(1, await herald.WaitForExitAsync(TimeSpan.FromSeconds(60)));
            Assert.Contains("Herald:Metrics:Token", herald.Output, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    [Theory]
    [InlineData(true, new[] { "http://127.0.0.1:8071" })]
    [InlineData(true, new[] { "http://localhost:8071", "http://[::1]:8071" })]
    [InlineData(true, new string[0])]
    [InlineData(false, new[] { "http://*:8071" })]
    [InlineData(false, new[] { "http://+:8071" })]
    [InlineData(false, new[] { "http://127.0.0.1:8071", "http://10.0.0.5:8071" })]
    [InlineData(false, new[] { "http://unix:/run/herald.sock" })]
    public void ListensOnLoopbackOnly_TellsLoopbackFromEverythingElse(bool expected, string[] addresses) =>
        Assert.Equal(expected, MetricsAccess.ListensOnLoopbackOnly(addresses));
}
