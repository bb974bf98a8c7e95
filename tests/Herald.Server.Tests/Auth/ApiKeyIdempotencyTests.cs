using System.Text;
using Dapper;
using Herald.Server.Storage;
using Herald.Server.Tests.Infrastructure;
using Herald.Server.Tests.Secrets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Herald.Server.Tests.Auth;

/// <summary>
/// Answers that carry a secret (a new or rotated API key, an app-portal token) are never stored by the idempotency
/// middleware, although Svix SDKs send an Idempotency-Key with every POST: a retry makes a new secret, and neither the
/// idempotency table nor (on SQLite) the database files hold one.
/// </summary>
public sealed class ApiKeyIdempotencyTests : IDisposable
{
    private readonly HeraldApplication _herald = new();
    private readonly HttpClient _admin;

    public ApiKeyIdempotencyTests() => _admin = _herald.CreateAdminClient();

    public void Dispose() => _herald.Dispose();

    [Fact]
    public async Task SecretAnswers_WithAnIdempotencyKey_AreNotStored_AndARetryMakesANewSecret()
    {
        var app = await _admin.CreateAppAsync("Acme", "acme");
        // An ordinary POST with a key is stored: the check below would see a stored answer.
        var stored = await _admin.PostJsonAsync("/api/v1/app", """{"name":"Stored","uid":"stored"}""", idempotencyKey: "app-1");
        Assert.Equal(HttpStatusCode.Created, stored.StatusCode);

        List<string> secrets = [];
        foreach (var (url, body, field) in new[]
        {
            ("/api/v1/auth/api-key", """{"name":"ci","scopes":["admin"]}""", "key"),
            ($"/api/v1/auth/app-portal-access/{app["id"]}", "{}", "token"),
        })
        {
            var first = await _admin.PostJsonAsync(url, body, idempotencyKey: "same-key");
            var retry = await _admin.PostJsonAsync(url, body, idempotencyKey: "same-key");
            Assert.False(retry.Headers.Contains("Idempotent-Replayed"), url);
            var a = (string)JsonNode.Parse(await first.Content.ReadAsStringAsync())![field]!;
            var b = (string)JsonNode.Parse(await retry.Content.ReadAsStringAsync())![field]!;
            Assert.NotEqual(a, b);
            secrets.AddRange([a, b]);
        }

        var keyId = (string)(await (await _admin.GetAsync("/api/v1/auth/api-key")).ReadObjectAsync(HttpStatusCode.OK))["data"]![1]!["id"]!;
        var rotated = await _admin.PostJsonAsync($"/api/v1/auth/api-key/{keyId}/rotate", "{}", idempotencyKey: "rotate-1");
        secrets.Add((string)JsonNode.Parse(await rotated.Content.ReadAsStringAsync())!["key"]!);

        var bodies = await IdempotencyBodiesAsync();
        Assert.Contains("Stored", bodies, StringComparison.Ordinal);
        var files = _herald.RawDatabaseFiles();
        foreach (var secret in secrets)
        {
            // The random part: prefixes are stored on purpose (and the hash), never the rest.
            Assert.DoesNotContain(secret[14..], bodies, StringComparison.Ordinal);
            Assert.DoesNotContain(secret[14..], files, StringComparison.Ordinal);
        }
    }

    private async Task<string> IdempotencyBodiesAsync()
    {
        var storage = _herald.Services.GetRequiredService<IOptions<StorageOptions>>().Value;
        await using System.Data.Common.DbConnection connection = storage.IsPostgres
            ? new Npgsql.NpgsqlConnection(storage.ConnectionString)
            : new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(_herald.DataDirectory, "herald.db")};Pooling=False");
        await connection.OpenAsync();
        var bodies = await connection.QueryAsync<byte[]?>("SELECT body FROM idempotency_keys");
        return string.Join('\n', bodies.Select(b => b is null ? "" : Encoding.UTF8.GetString(b)));
    }
}
