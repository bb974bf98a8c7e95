using System.Net.Http.Headers;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;

namespace Herald.Server.Tests.Infrastructure;

/// <summary>
/// Herald in memory, with its own empty SQLite database in a temp folder and a known admin token.
/// One per test class (IClassFixture) or per test (create and dispose). A test project may choose another
/// storage engine by implementing <see cref="UseStorage"/> (tests/Herald.Server.Postgres.Tests does: same tests, PostgreSQL).
/// </summary>
public sealed partial class HeraldApplication : WebApplicationFactory<Program>
{
    public const string AdminToken = "herald_sk_test_admin_token_0123456789abcdef";

    public string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), "herald-tests", Guid.NewGuid().ToString("N"));

    private readonly Dictionary<string, string?> _settings = [];

    /// <summary>The server's clock when the test opted in with <see cref="WithFakeTime"/>; null while the real clock runs.</summary>
    public FakeTimeProvider? Time { get; private set; }

    /// <summary>Extra configuration (e.g. <c>Herald:Api:MaxRequestBodyBytes</c>), set before the first client is made.</summary>
    public HeraldApplication With(string key, string? value)
    {
        _settings[key] = value;
        return this;
    }

    /// <summary>Runs the server on a <see cref="FakeTimeProvider"/> (see <see cref="Time"/>), set before the first client is made.</summary>
    public HeraldApplication WithFakeTime()
    {
        Time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 15, 9, 0, 0, TimeSpan.Zero));
        return this;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        if (Time is { } time)
        {
            builder.ConfigureTestServices(services => services.Replace(ServiceDescriptor.Singleton<TimeProvider>(time)));
        }

        builder.UseEnvironment("Testing");
        builder.UseSetting("Herald:Storage:DataDirectory", DataDirectory);
        builder.UseSetting("Herald:Auth:AdminToken", AdminToken);
        UseStorage(builder);
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }
    }

    public HttpClient CreateClient(string? token)
    {
        var client = CreateClient();
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return client;
    }

    public HttpClient CreateAdminClient() => CreateClient(AdminToken);

    /// <summary>
    /// A new server on this one's data (the same SQLite file, or the same PostgreSQL database), e.g. to restart after
    /// <see cref="StopServer"/>. The data stays this one's: it is deleted when this one is disposed.
    /// </summary>
    public HeraldApplication OnSameData()
    {
        var next = new HeraldApplication().With("Herald:Storage:DataDirectory", DataDirectory);
        ShareStorage(next);
        return next;
    }

    /// <summary>Stops this server's host (its background services end) without deleting its data.</summary>
    public void StopServer() => Services.GetRequiredService<Microsoft.Extensions.Hosting.IHostApplicationLifetime>().StopApplication();

    partial void ShareStorage(HeraldApplication next);

    /// <summary>Where a test project points Herald's storage (a fresh database of another engine); SQLite when not implemented.</summary>
    partial void UseStorage(IWebHostBuilder builder);

    /// <summary>Lets go of what <see cref="UseStorage"/> created, once the server has stopped.</summary>
    partial void ReleaseStorage();

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        ReleaseStorage();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A temp folder left behind is harmless.
        }
    }
}
