using Microsoft.AspNetCore.Hosting;

namespace Herald.Server.Tests.Infrastructure;

/// <summary>In this test project, every Herald runs on its own fresh PostgreSQL database.</summary>
public sealed partial class HeraldApplication
{
    private string? _postgresDatabase;
    private bool _ownsDatabase = true;

    /// <summary>The connection string of this Herald's database (created when its server starts).</summary>
    public string? PostgresConnectionString => _postgresDatabase;

    /// <summary>A second Herald node on this one's database (this one must have started); the database stays this one's.</summary>
    public HeraldApplication AnotherNode() => new()
    {
        _postgresDatabase = _postgresDatabase ?? throw new InvalidOperationException("Start this Herald first (e.g. read Services)."),
        _ownsDatabase = false,
    };

    /// <summary>A Herald on a database of the test's own (e.g. on a server it stops and starts); the database is not dropped.</summary>
    public static HeraldApplication OnDatabase(string connectionString) => new()
    {
        _postgresDatabase = connectionString,
        _ownsDatabase = false,
    };

    partial void ShareStorage(HeraldApplication next)
    {
        next._postgresDatabase = _postgresDatabase ?? throw new InvalidOperationException("Start this Herald first (e.g. read Services).");
        next._ownsDatabase = false;
    }

    partial void UseStorage(IWebHostBuilder builder)
    {
        _postgresDatabase ??= PostgresTestServer.CreateDatabase();
        builder.UseSetting("Herald:Storage:Provider", "postgres");
        builder.UseSetting("Herald:Storage:ConnectionString", _postgresDatabase);
        builder.UseSetting("Herald:Secrets:MainKey", Secrets.TestMainKeys.A); // required with PostgreSQL
    }

    partial void ReleaseStorage()
    {
        if (Interlocked.Exchange(ref _postgresDatabase, null) is { } database && _ownsDatabase)
        {
            PostgresTestServer.DropDatabase(database);
        }
    }
}
