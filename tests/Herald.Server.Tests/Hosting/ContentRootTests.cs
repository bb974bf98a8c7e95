using Herald.Server.Tests.Infrastructure;

namespace Herald.Server.Tests.Hosting;

/// <summary>
/// <c>appsettings.json</c> is read from Herald's own directory, wherever it is started from: an
/// <c>appsettings.json</c> in the working directory is ignored, environment variables still override the file.
/// </summary>
public sealed class ContentRootTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("herald-content-root").FullName;

    private string AppDirectory => Path.Combine(_root, "app");
    private string WorkingDirectory => Path.Combine(_root, "elsewhere");
    private string DataDirectory => Path.Combine(_root, "data");

    public ContentRootTests()
    {
        // A copy of the installed app: the entry assembly and its JSON files copied (so the app directory is this one),
        // the other assemblies and the folders (runtimes/ holds SQLite's native library) linked.
        Directory.CreateDirectory(AppDirectory);
        foreach (var folder in Directory.GetDirectories(AppContext.BaseDirectory))
        {
            Directory.CreateSymbolicLink(Path.Combine(AppDirectory, Path.GetFileName(folder)), folder);
        }

        foreach (var file in Directory.GetFiles(AppContext.BaseDirectory))
        {
            var name = Path.GetFileName(file);
            var target = Path.Combine(AppDirectory, name);
            if (name.StartsWith("Herald.Server.", StringComparison.Ordinal) || name.EndsWith(".json", StringComparison.Ordinal))
            {
                File.Copy(file, target);
            }
            else
            {
                File.CreateSymbolicLink(target, file);
            }
        }

        // The app's own settings turn /metrics off; the working directory's would stop Herald at start if read.
        File.WriteAllText(Path.Combine(AppDirectory, "appsettings.json"), """{"Herald": {"Metrics": {"Prometheus": false}}}""");
        Directory.CreateDirectory(WorkingDirectory);
        File.WriteAllText(Path.Combine(WorkingDirectory, "appsettings.json"), """{"Herald": {"Storage": {"Provider": "oracle"}}}""");
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // Left behind in the temp folder: harmless.
        }
    }

    [Fact]
    public async Task StartedFromAnotherDirectory_ReadsTheAppDirectorysSettings_NotTheWorkingDirectorys()
    {
        await using var herald = await HeraldProcess.StartAsync(DataDirectory, appDirectory: AppDirectory, workingDirectory: WorkingDirectory);
        using var client = herald.CreateClient();

        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/metrics")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/health")).StatusCode);
    }

    [Fact]
    public async Task EnvironmentVariables_StillOverrideTheAppDirectorysSettings()
    {
        await using var herald = await HeraldProcess.StartAsync(DataDirectory, new Dictionary<string, string> { ["Herald__Metrics__Prometheus"] = "true" },
            appDirectory: AppDirectory, workingDirectory: WorkingDirectory);
        using var client = herald.CreateClient();

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/metrics")).StatusCode);
    }
}
