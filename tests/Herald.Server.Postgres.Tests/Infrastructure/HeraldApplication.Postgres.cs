using Microsoft.AspNetCore.Hosting;

namespace Herald.Server.Tests.Infrastructure;

/// <summary>In this test project, every Herald runs on its own fresh PostgreSQL database.</summary>
public sealed partial class HeraldApplication
{
    private string? _postgresDatabase;

    partial void UseStorage(IWebHostBuilder builder)
    {
        _postgresDatabase ??= PostgresTestServer.CreateDatabase();
        builder.UseSetting("Herald:Storage:Provider", "postgres");
        builder.UseSetting("Herald:Storage:ConnectionString", _postgresDatabase);
    }

    partial void ReleaseStorage()
    {
        if (Interlocked.Exchange(ref _postgresDatabase, null) is { } database)
        {
            PostgresTestServer.DropDatabase(database);
        }
    }
}
