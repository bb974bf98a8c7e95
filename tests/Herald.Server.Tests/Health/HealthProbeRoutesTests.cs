using Herald.Server.Storage;
using Herald.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace Herald.Server.Tests.Health;

/// <summary>
/// <c>/health/live</c> and <c>/health/ready</c> (ASP.NET Core health checks): ready means storage takes writes,
/// migrations are applied and the dispatcher runs; live only that the process answers. Svix's routes stay.
/// </summary>
public sealed class HealthProbeRoutesTests : IDisposable
{
    private readonly HeraldApplication _herald = new HeraldApplication().WithFakeTime();
    private readonly WebApplicationFactory<Program> _server;
    private readonly HttpClient _client;

    public HealthProbeRoutesTests()
    {
        _server = FaultyStore.Around(_herald);
        _client = _server.CreateClient();
    }

    private FaultyStore Store => FaultyStore.Of(_server);

    public void Dispose()
    {
        _server.Dispose();
        _herald.Dispose();
    }

    [Fact]
    public async Task Ready_WhenStorageMigrationsAndDispatcherAreFine_Answers200WithEachCheck()
    {
        var ready = await (await _client.GetAsync("/health/ready")).ReadObjectAsync(HttpStatusCode.OK);

        Assert.Equal("Healthy", (string?)ready["status"]);
        var checks = ready["checks"]!.AsObject();
        Assert.Equal(["dispatcher", "migrations", "storage"], checks.Select(c => c.Key).Order(StringComparer.Ordinal));
        Assert.All(checks, c => Assert.Equal("Healthy", (string?)c.Value!["status"]));
        Assert.Equal("running", (string?)checks["dispatcher"]!["detail"]);
    }

    [Fact]
    public async Task Ready_WhenStorageFails_Answers503_WhileLiveAnswers200()
    {
        Store.Fail(nameof(IHeraldStore.ProbeWriteAsync), new SqliteException("SQLite Error 13: 'database or disk is full'.", 13));

        var ready = await (await _client.GetAsync("/health/ready")).ReadObjectAsync(HttpStatusCode.ServiceUnavailable);
        var live = await (await _client.GetAsync("/health/live")).ReadObjectAsync(HttpStatusCode.OK);
        var svix = await _client.GetAsync("/api/v1/health");

        Assert.Equal("Unhealthy", (string?)ready["status"]);
        Assert.Equal("storage_full", (string?)ready["checks"]!["storage"]!["detail"]);
        Assert.Equal("Healthy", (string?)live["status"]);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, svix.StatusCode);
    }

    [Fact]
    public async Task Ready_WhenMigrationsCannotBeRead_Answers503_AndRecoversOnceTheyCan()
    {
        Store.Fail(nameof(IHeraldStore.MigrationsAppliedAsync), new SqliteException("SQLite Error 14: 'unable to open database file'.", 14));

        var failing = await (await _client.GetAsync("/health/ready")).ReadObjectAsync(HttpStatusCode.ServiceUnavailable);
        Store.Fail(nameof(IHeraldStore.MigrationsAppliedAsync), null);
        var healed = await (await _client.GetAsync("/health/ready")).ReadObjectAsync(HttpStatusCode.OK);

        Assert.Equal("Unhealthy", (string?)failing["checks"]!["migrations"]!["status"]);
        Assert.Equal("applied", (string?)healed["checks"]!["migrations"]!["detail"]);
    }

    [Fact]
    public async Task MigrationsAppliedAsync_OnAMigratedStore_IsTrue()
    {
        await _client.GetAsync("/health/live");

        Assert.True(await _server.Services.GetRequiredService<IHeraldStore>().MigrationsAppliedAsync(CancellationToken.None));
    }
}
