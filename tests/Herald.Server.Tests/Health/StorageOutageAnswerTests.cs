using System.Net.Sockets;
using Herald.Server.Storage;
using Herald.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Herald.Server.Tests.Health;

/// <summary>
/// A storage outage is answered as one a client can retry — 503 <c>storage_unavailable</c> or 507 <c>storage_full</c>,
/// with Retry-After and no internals — whether a handler or a middleware (authentication) meets it; a bug stays a 500.
/// </summary>
public sealed class StorageOutageAnswerTests : IDisposable
{
    private readonly HeraldApplication _herald = new();
    private readonly WebApplicationFactory<Program> _server;
    private readonly HttpClient _client;

    public StorageOutageAnswerTests()
    {
        _server = FaultyStore.Around(_herald);
        _client = _server.CreateClient();
        _client.DefaultRequestHeaders.Authorization = new("Bearer", HeraldApplication.AdminToken);
    }

    private FaultyStore Store => FaultyStore.Of(_server);

    public void Dispose()
    {
        _server.Dispose();
        _herald.Dispose();
    }

    public static TheoryData<Exception, int, string, string> Outages => new()
    {
        { new SqliteException("SQLite Error 13: 'database or disk is full'.", 13), 507, "storage_full", "30" },
        { new SqliteException("SQLite Error 10: 'disk I/O error'.", 10), 503, "storage_unavailable", "5" },
        { new SqliteException("SQLite Error 5: 'database is locked'.", 5), 503, "storage_unavailable", "5" },
        { new NpgsqlException("Failed to connect to 127.0.0.1:5432", new SocketException((int)SocketError.ConnectionRefused)), 503, "storage_unavailable", "5" },
        { new PostgresException("the database system is shutting down", "FATAL", "FATAL", "57P03"), 503, "storage_unavailable", "5" },
        { new PostgresException("could not extend file: No space left on device", "ERROR", "ERROR", "53100"), 507, "storage_full", "30" },
    };

    [Theory]
    [MemberData(nameof(Outages))]
    public async Task Publish_WhenStorageFails_AnswersRetryableStatusWithRetryAfter(Exception failure, int status, string code, string retryAfter)
    {
        await _client.CreateAppAsync("Shop", "shop");
        Store.Fail(nameof(IHeraldStore.PublishMessageAsync), failure);

        var response = await _client.PostAsJsonAsync("/api/v1/app/shop/msg", new { eventType = "order.paid", payload = new { id = 1 } });

        var error = await response.ReadObjectAsync((HttpStatusCode)status);
        Assert.Equal(code, (string?)error["code"]);
        Assert.Equal(retryAfter, response.Headers.GetValues("Retry-After").Single());
        Assert.DoesNotContain("SQLite", (string?)error["detail"], StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("127.0.0.1", (string?)error["detail"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnyRequest_WhenTheTokenLookupFails_Answers503NotUnauthorized()
    {
        Store.Fail(nameof(IHeraldStore.FindTokenAsync), new NpgsqlException("Exception while reading from stream", new TimeoutException()));

        var response = await _client.GetAsync("/api/v1/app");

        var error = await response.ReadObjectAsync(HttpStatusCode.ServiceUnavailable);
        Assert.Equal("storage_unavailable", (string?)error["code"]);
        Assert.Equal("5", response.Headers.GetValues("Retry-After").Single());
    }

    [Fact]
    public async Task Publish_WhenStorageFailsWithABug_StillAnswers500WithoutRetryAfter()
    {
        await _client.CreateAppAsync("Shop", "shop");
        Store.Fail(nameof(IHeraldStore.PublishMessageAsync), new SqliteException("SQLite Error 1: 'no such column: x'.", 1));

        var response = await _client.PostAsJsonAsync("/api/v1/app/shop/msg", new { eventType = "order.paid", payload = new { id = 1 } });

        var error = await response.ReadObjectAsync(HttpStatusCode.InternalServerError);
        Assert.Equal("internal_error", (string?)error["code"]);
        Assert.False(response.Headers.Contains("Retry-After"));
    }
}
