using Herald.Server.Tests.Infrastructure;

namespace Herald.Server.Tests.Hosting;

/// <summary>A real Herald process on a real disk that fills up or cannot be written (a small tmpfs).</summary>
public sealed class StorageOutageTests
{
    private const string Token = "herald_sk_storage_outage_tests_admin_token";
    private static readonly Dictionary<string, string> Settings = new() { ["Herald__Auth__AdminToken"] = Token };

    [SkippableFact]
    public async Task FullDisk_PublishAnswers507AndHealth503_ThenRecoversWithoutRestart()
    {
        Skip.If(TmpfsMount.SkipReason is not null, TmpfsMount.SkipReason);
        using var disk = TmpfsMount.Create();
        await using var herald = await HeraldProcess.StartAsync(disk.Path, Settings);
        using var client = herald.CreateClient(Token);
        await (await client.PostAsJsonAsync("/api/v1/app", new { name = "Disk", uid = "disk" })).ReadObjectAsync(HttpStatusCode.Created);
        await (await client.PostAsJsonAsync("/api/v1/app/disk/msg", new { eventType = "a.b", eventId = "before", payload = new { } }))
            .ReadObjectAsync(HttpStatusCode.Accepted);

        var filler = disk.Fill();

        // SQLite may still fit a small commit in the last page of its WAL; a few publishes fill it.
        var refused = new List<string>();
        for (var i = 0; i < 5 && refused.Count == 0; i++)
        {
            var response = await client.PostAsJsonAsync("/api/v1/app/disk/msg", new { eventType = "a.b", eventId = $"full-{i}", payload = new { n = i } });
            if (response.StatusCode != HttpStatusCode.Accepted)
            {
                var error = await response.ReadObjectAsync((HttpStatusCode)507);
                Assert.Equal("storage_full", (string?)error["code"]);
                Assert.Equal("30", response.Headers.GetValues("Retry-After").Single());
                refused.Add($"full-{i}");
            }
        }

        Assert.NotEmpty(refused);
        var health = await WaitForHealthAsync(client, HttpStatusCode.ServiceUnavailable);
        Assert.Equal("storage_full", (string?)health["status"]);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.GetAsync("/api/v1/health/ready")).StatusCode);

        File.Delete(filler);

        health = await WaitForHealthAsync(client, HttpStatusCode.OK);
        Assert.Equal("ok", (string?)health["status"]);
        await (await client.PostAsJsonAsync("/api/v1/app/disk/msg", new { eventType = "a.b", eventId = "after", payload = new { } }))
            .ReadObjectAsync(HttpStatusCode.Accepted);
        foreach (var eventId in refused)
        {
            Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/api/v1/app/disk/msg/{eventId}")).StatusCode);
        }

        await (await client.GetAsync("/api/v1/app/disk/msg/before")).ReadObjectAsync(HttpStatusCode.OK);
        Assert.False(herald.HasExited);
    }

    [SkippableFact]
    public async Task Startup_OnAFullDisk_PrintsOneLineNamingTheDatabaseAndExits1()
    {
        Skip.If(TmpfsMount.SkipReason is not null, TmpfsMount.SkipReason);
        using var disk = TmpfsMount.Create();
        disk.Fill();

        var output = await StartAndFailAsync(disk.Path);

        Assert.Equal($"Herald cannot start: the disk holding {Path.Combine(disk.Path, "herald.db")} is full", output);
    }

    [SkippableFact]
    public async Task Startup_OnAReadOnlyDataDirectory_PrintsOneLineNamingItAndExits1()
    {
        Skip.If(TmpfsMount.SkipReason is not null, TmpfsMount.SkipReason);
        using var disk = TmpfsMount.Create(readOnly: true);

        var output = await StartAndFailAsync(disk.Path);

        Assert.Equal($"Herald cannot start: the data directory {disk.Path} is not writable (Read-only file system)", output);
    }

    [Fact]
    public async Task Startup_WithADataDirectoryUnderAFile_PrintsOneLineNamingItAndExits1()
    {
        var file = Path.GetTempFileName();
        try
        {
            var data = Path.Combine(file, "data");

            var output = await StartAndFailAsync(data);

            Assert.StartsWith($"Herald cannot start: the data directory {data} cannot be created (", output, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>Starts Herald on <paramref name="dataDirectory"/>, expects exit code 1, and returns its only line of output.</summary>
    private static async Task<string> StartAndFailAsync(string dataDirectory)
    {
        await using var herald = await HeraldProcess.StartAsync(dataDirectory, Settings, waitUntilHealthy: false);

        Assert.Equal(1, await herald.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        return Assert.Single(herald.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }

    /// <summary>Polls health until it answers <paramref name="status"/>: probes run at most once a second, so a change shows within about one.</summary>
    private static async Task<JsonObject> WaitForHealthAsync(HttpClient client, HttpStatusCode status)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var response = await client.GetAsync("/api/v1/health");
            if (response.StatusCode == status || DateTime.UtcNow > deadline)
            {
                return await response.ReadObjectAsync(status);
            }

            await Task.Delay(200);
        }
    }
}
