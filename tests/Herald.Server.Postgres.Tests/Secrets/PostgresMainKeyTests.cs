using Herald.Server.Tests.Infrastructure;

namespace Herald.Server.Tests.Secrets;

/// <summary>On PostgreSQL every node must open what another sealed, so no node may make up a key of its own.</summary>
public sealed class PostgresMainKeyTests : IDisposable
{
    private readonly string _data = Directory.CreateTempSubdirectory("herald-pg-key").FullName;
    private readonly string _database = PostgresTestServer.CreateDatabase();

    public void Dispose()
    {
        PostgresTestServer.DropDatabase(_database);
        Directory.Delete(_data, recursive: true);
    }

    [Fact]
    public async Task Postgres_WithoutAConfiguredMainKey_RefusesToStart_AndGeneratesNoKey()
    {
        await using var herald = await HeraldProcess.StartAsync(_data, new Dictionary<string, string>
        {
            ["Herald__Storage__Provider"] = "postgres",
            ["Herald__Storage__ConnectionString"] = _database,
        }, waitUntilHealthy: false);

        Assert.NotEqual(0, await herald.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("Herald:Secrets:MainKey (or Herald:Secrets:MainKeyFile) is required with PostgreSQL", herald.Output);
        Assert.False(File.Exists(Path.Combine(_data, "main.key")));
    }
}
