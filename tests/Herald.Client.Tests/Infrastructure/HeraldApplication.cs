using System.Net.Http.Headers;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;

namespace Herald.Client.Tests.Infrastructure;

/// <summary>
/// Herald in memory, with its own empty SQLite database in a temp folder and a known admin token (a copy of the
/// server tests' fixture, so the two test projects stay independent). <c>CreateHeraldClient</c> drives it
/// through the client under test.
/// </summary>
public sealed class HeraldApplication : WebApplicationFactory<Program>
{
    public const string AdminToken = "herald_sk_test_admin_token_0123456789abcdef";

    public string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), "herald-client-tests", Guid.NewGuid().ToString("N"));

    private readonly Dictionary<string, string?> _settings = [];

    /// <summary>The server's clock when the test opted in with <see cref="WithFakeTime"/>; null while the real clock runs.</summary>
    public FakeTimeProvider? Time { get; private set; }

    /// <summary>Extra configuration, set before the first client is made.</summary>
    public HeraldApplication With(string key, string? value)
    {
        _settings[key] = value;
        return this;
    }

    /// <summary>Runs the server on a <see cref="FakeTimeProvider"/>, set before the first client is made.</summary>
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
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }
    }

    /// <summary>A raw HTTP client, for checks the typed client cannot make.</summary>
    public HttpClient CreateAdminClient()
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminToken);
        return client;
    }

    /// <summary>The client under test, on the in-memory server, with the admin token unless another is given.</summary>
    /// <param name="token">The bearer token; null sends none.</param>
    /// <param name="handlers">Handlers between the client and the server (recording, failing).</param>
    public HeraldClient CreateHeraldClient(string? token = AdminToken, params DelegatingHandler[] handlers) =>
        CreateHeraldClient(new HeraldClientOptions { Token = token }, handlers);

    public HeraldClient CreateHeraldClient(HeraldClientOptions options, params DelegatingHandler[] handlers) =>
        new(CreateDefaultClient(handlers), options);

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
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
