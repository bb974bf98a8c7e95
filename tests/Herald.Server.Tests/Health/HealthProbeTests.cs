using Herald.Server.Health;
using Herald.Server.Storage;
using Herald.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;

namespace Herald.Server.Tests.Health;

/// <summary>
/// <c>/api/v1/health</c> and <c>/api/v1/health/ready</c> answer what a write to storage does, probed at most once a
/// second whoever asks, and 503 <c>stopping</c> once the server shuts down. <c>/health/live</c> and
/// <c>/health/ready</c> (ASP.NET Core health checks): ready means storage takes writes, migrations are applied and the
/// dispatcher runs; live only that the process answers.
/// </summary>
public sealed class HealthProbeTests : IDisposable
{
    private const string Probe = nameof(IHeraldStore.ProbeWriteAsync);
    private readonly HeraldApplication _herald = new HeraldApplication().WithFakeTime();
    private readonly WebApplicationFactory<Program> _server;
    private readonly HttpClient _client;

    public HealthProbeTests()
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

    [Theory]
    [InlineData("/api/v1/health")]
    [InlineData("/api/v1/health/ready")]
    public async Task Health_WhenAWriteFailsOnAFullDisk_Answers503StorageFull_ThenOkOnceWritesSucceed(string route)
    {
        Store.Fail(Probe, new SqliteException("SQLite Error 13: 'database or disk is full'.", 13));

        var full = await (await _client.GetAsync(route)).ReadObjectAsync(HttpStatusCode.ServiceUnavailable);
        var head = await _client.SendAsync(new HttpRequestMessage(HttpMethod.Head, route));

        Assert.Equal("storage_full", (string?)full["status"]);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, head.StatusCode);

        Store.Fail(Probe, null);
        _herald.Time!.Advance(HealthCheck.ProbeInterval);

        var ok = await (await _client.GetAsync(route)).ReadObjectAsync(HttpStatusCode.OK);
        Assert.Equal("ok", (string?)ok["status"]);
    }

    [Fact]
    public async Task Health_WhenStorageCannotBeOpened_Answers503StorageUnavailable()
    {
        Store.Fail(Probe, new SqliteException("SQLite Error 14: 'unable to open database file'.", 14));

        var health = await (await _client.GetAsync("/api/v1/health")).ReadObjectAsync(HttpStatusCode.ServiceUnavailable);

        Assert.Equal("storage_unavailable", (string?)health["status"]);
    }

    [Fact]
    public async Task Health_PolledHard_ProbesStorageAtMostOncePerSecond()
    {
        await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => _client.GetAsync("/api/v1/health/ready")));
        await _client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/api/v1/health"));
        _herald.Time!.Advance(HealthCheck.ProbeInterval - TimeSpan.FromMilliseconds(1));
        await _client.GetAsync("/api/v1/health");

        Assert.Equal(1, Store.Calls(Probe));

        _herald.Time.Advance(TimeSpan.FromMilliseconds(1));
        await _client.GetAsync("/api/v1/health");

        Assert.Equal(2, Store.Calls(Probe));
    }

    [Fact]
    public async Task Health_WhileWritesFail_LastOutcomeIsKeptUntilTheNextProbe()
    {
        Store.Fail(Probe, new SqliteException("SQLite Error 13: 'database or disk is full'.", 13));
        await _client.GetAsync("/api/v1/health");
        Store.Fail(Probe, null);

        // Within the interval the failed outcome stands (no probe runs); after it, the next probe clears it.
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await _client.GetAsync("/api/v1/health")).StatusCode);
        _herald.Time!.Advance(HealthCheck.ProbeInterval);
        Assert.Equal(HttpStatusCode.OK, (await _client.GetAsync("/api/v1/health")).StatusCode);
    }

    [Fact]
    public async Task Health_OnceTheServerIsStopping_AnswersStopping_WithoutProbing()
    {
        using var lifetime = new StoppableLifetime();
        var check = new HealthCheck(_server.Services.GetRequiredService<IHeraldStore>(), TimeProvider.System, lifetime, NullLogger<HealthCheck>.Instance);
        Assert.Equal(HealthCheck.Ok, await check.StatusAsync(CancellationToken.None));
        var probes = Store.Calls(Probe);

        lifetime.StopApplication();

        Assert.Equal(HealthCheck.Stopping, await check.StatusAsync(CancellationToken.None));
        Assert.Equal(probes, Store.Calls(Probe));
    }

    private sealed class StoppableLifetime : IHostApplicationLifetime, IDisposable
    {
        private readonly CancellationTokenSource _stopping = new();

        public CancellationToken ApplicationStarted => CancellationToken.None;

        public CancellationToken ApplicationStopping => _stopping.Token;

        public CancellationToken ApplicationStopped => CancellationToken.None;

        public void StopApplication() => _stopping.Cancel();

        public void Dispose() => _stopping.Dispose();
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
