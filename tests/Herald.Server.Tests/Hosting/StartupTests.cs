using Herald.Server.Storage.Sqlite;
using Herald.Server.Tests.Infrastructure;

namespace Herald.Server.Tests.Hosting;

/// <summary>What a start says, and how a start that cannot go on fails: one line with the cause and the setting, exit 1.</summary>
public sealed partial class StartupTests : IDisposable
{
    private readonly TempDirectory _data = new("herald-startup");

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task EveryStart_LogsTheUrlsAndTheDatabase()
    {
        await using (await HeraldProcess.StartAsync(_data))
        {
        }

        await using var second = await HeraldProcess.StartAsync(_data);

        await WaitForAsync(second, "is listening on");
        Assert.Contains($"is listening on {second.BaseAddress.ToString().TrimEnd('/')}", second.Output, StringComparison.Ordinal);
        Assert.Contains($"storage: SQLite at {Path.Combine(_data, "herald.db")}", second.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("DEV MODE", second.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SecondInstance_OnTheSameDataDirectory_IsRefusedInOneLine_WithExitCode1()
    {
        await using var first = await HeraldProcess.StartAsync(_data);

        await using var second = await HeraldProcess.StartAsync(_data, waitUntilHealthy: false);
        var exitCode = await second.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(1, exitCode);
        var line = Assert.Single(Lines(second.Output));
        Assert.StartsWith($"Herald cannot start: another Herald process is using the data directory {_data} ", line, StringComparison.Ordinal);
        Assert.Contains("Herald:Storage:DataDirectory", line, StringComparison.Ordinal);
        Assert.False(first.HasExited);
    }

    [Fact]
    public async Task SecondInstance_OnTheSamePort_IsRefusedInOneLine_WithExitCode1()
    {
        await using var first = await HeraldProcess.StartAsync(_data);
        var other = Directory.CreateTempSubdirectory("herald-startup-port").FullName;
        try
        {
            // A main key given, as a second `dotnet run` finds one in its data directory: no "generated the main key" line.
            var mainKey = new Dictionary<string, string> { ["Herald__Secrets__MainKey"] = Convert.ToBase64String(new byte[32]) };
            await using var second = await HeraldProcess.StartAsync(other, mainKey, waitUntilHealthy: false, port: first.BaseAddress.Port);
            var exitCode = await second.WaitForExitAsync(TimeSpan.FromSeconds(60));

            Assert.Equal(1, exitCode);
            var line = Assert.Single(Lines(second.Output));
            Assert.Equal(
                $"Herald cannot start: http://127.0.0.1:{first.BaseAddress.Port} is already in use (another Herald, or another program, listens there). "
                + "Stop that program, or listen elsewhere with --urls, ASPNETCORE_URLS or Kestrel:Endpoints", line);
        }
        finally
        {
            Directory.Delete(other, recursive: true);
        }
    }

    [Fact]
    public async Task BadAllowedNetworks_IsOneLineNamingTheSetting_WithExitCode1()
    {
        await using var herald = await HeraldProcess.StartAsync(
            _data, new Dictionary<string, string> { ["Herald__Delivery__AllowedNetworks__0"] = "localhost" }, waitUntilHealthy: false);

        var exitCode = await herald.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(1, exitCode);
        var line = Assert.Single(Lines(herald.Output));
        Assert.StartsWith("Herald cannot start: invalid configuration. Herald:Delivery:AllowedNetworks ", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FirstStart_WithJsonConsoleLogs_WritesTheTokenToAPrivateFile_NotToTheLog()
    {
        await using var herald = await HeraldProcess.StartAsync(_data, new Dictionary<string, string> { ["Logging__Console__FormatterName"] = "json" });
        var file = Path.Combine(_data, "admin-token");

        await WaitForAsync(herald, file);
        Assert.Empty(AdminTokens.Pattern().Matches(herald.Output));
        var token = (await File.ReadAllTextAsync(file)).Trim();
        Assert.Matches(AdminTokens.Pattern(), token);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        }

        using var client = herald.CreateClient(token);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/app")).StatusCode);
    }

    [Theory]
    [InlineData("SQLite Error 19: 'UNIQUE constraint failed: applications.uid'.", "uid")]
    [InlineData("SQLite Error 19: 'UNIQUE constraint failed: messages.app_id, messages.event_id'.", "event_id")]
    [InlineData("UNIQUE constraint failed: event_types.name", "name")]
    public void SqliteConflict_NamesTheColumn_WithoutSqliteQuoting(string message, string field) =>
        Assert.Equal(field, SqliteStore.ConflictField(message));

    private static string[] Lines(string output) => output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>Waits until <paramref name="text"/> is in the output: the banner is written once the server listens, which may follow the first health answer.</summary>
    internal static async Task WaitForAsync(HeraldProcess herald, string text)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!herald.Output.Contains(text, StringComparison.Ordinal) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        Assert.True(herald.Output.Contains(text, StringComparison.Ordinal), $"Expected '{text}' in:\n{herald.Output}");
    }
}
