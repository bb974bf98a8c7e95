using Dapper;
using Herald.Server.Tests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace Herald.Server.Tests.Storage;

/// <summary>
/// Migrations that rebuild a SQLite table, run on a database that holds data: nothing referring to the rebuilt table
/// may be lost (with foreign keys on, dropping the original would delete its deliveries and attempts by cascade).
/// </summary>
public sealed class SqliteMigrationTests
{
    [Fact]
    public async Task EventIdIndexMigration_DatabaseWithDeliveries_KeepsEveryRowAndStillRefusesDuplicateEventIds()
    {
        using var first = new HeraldApplication();
        var client = first.CreateAdminClient();
        var appId = (string)(await client.CreateAppAsync())["id"]!;
        await client.CreateEndpointAsync(appId);
        for (var i = 0; i < 6; i++)
        {
            await client.PublishAsync(appId, extra: i % 2 == 0 ? new JsonObject { ["eventId"] = $"evt-{i}" } : null);
        }

        first.StopServer();
        var database = Path.Combine(first.DataDirectory, "herald.db");
        await using (var connection = Open(database))
        {
            await UndoEventIdMigrationAsync(connection);
            Assert.Contains("UNIQUE (app_id, event_id)", await TableSqlAsync(connection), StringComparison.Ordinal);
        }

        var before = await CountAsync(database);
        Assert.Equal((6L, 6L), (before.Messages, before.Deliveries));

        using var second = first.OnSameData();
        var again = second.CreateAdminClient();
        var list = await (await again.GetAsync($"/api/v1/app/{appId}/msg?limit=50")).ReadObjectAsync(HttpStatusCode.OK);
        Assert.Equal(6, list["data"]!.AsArray().Count);
        Assert.Equal("evt-2", (string?)(await (await again.GetAsync($"/api/v1/app/{appId}/msg/evt-2")).ReadObjectAsync(HttpStatusCode.OK))["eventId"]);
        var duplicate = await again.PostAsJsonAsync($"/api/v1/app/{appId}/msg", new { eventType = "invoice.paid", eventId = "evt-4", payload = new { } });
        await duplicate.AssertErrorAsync(HttpStatusCode.Conflict, "conflict");

        var after = await CountAsync(database);
        Assert.Equal(before.Messages, after.Messages);
        Assert.Equal(before.Deliveries, after.Deliveries);
        Assert.True(after.Attempts >= before.Attempts, $"attempts went from {before.Attempts} to {after.Attempts}");
        await using (var connection = Open(database))
        {
            Assert.DoesNotContain("event_id)", await TableSqlAsync(connection), StringComparison.Ordinal);
            var index = await connection.QuerySingleAsync<string>("SELECT sql FROM sqlite_schema WHERE name = 'messages__event_id'");
            Assert.EndsWith("WHERE event_id IS NOT NULL", index, StringComparison.Ordinal);
            Assert.Equal(2, await connection.QuerySingleAsync<long>("SELECT count(*) FROM schema_migrations WHERE version IN (14, 15)"));
            Assert.Equal(0, await connection.QuerySingleAsync<long>("SELECT count(*) FROM sqlite_schema WHERE name = 'messages_app_id'"));
            Assert.Empty(await connection.QueryAsync("SELECT * FROM pragma_foreign_key_check"));
        }
    }

    private static SqliteConnection Open(string database)
    {
        var connection = new SqliteConnection($"Data Source={database};Pooling=False");
        connection.Open();
        return connection;
    }

    private static Task<string> TableSqlAsync(SqliteConnection connection) =>
        connection.QuerySingleAsync<string>("SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = 'messages'");

    private static async Task<(long Messages, long Deliveries, long Attempts)> CountAsync(string database)
    {
        await using var connection = Open(database);
        return (
            await connection.QuerySingleAsync<long>("SELECT count(*) FROM messages"),
            await connection.QuerySingleAsync<long>("SELECT count(*) FROM deliveries"),
            await connection.QuerySingleAsync<long>("SELECT count(*) FROM attempts"));
    }

    // Puts the messages table back as migrations 1-13 left it (the eventId constraint over every row, the (app_id, id)
    // index) and forgets migrations 14 and 15, so that the next start runs them on this data.
    private static async Task UndoEventIdMigrationAsync(SqliteConnection connection)
    {
        await connection.ExecuteAsync("PRAGMA foreign_keys = OFF;");
        await using var transaction = await connection.BeginTransactionAsync();
        await connection.ExecuteAsync(
            """
            CREATE TABLE messages_old (
                id TEXT PRIMARY KEY, app_id TEXT NOT NULL REFERENCES applications (id) ON DELETE CASCADE, sequence INTEGER NOT NULL,
                event_id TEXT NULL, event_type TEXT NOT NULL, payload BLOB NULL, channels TEXT NULL, tags TEXT NULL, created_at INTEGER NOT NULL,
                deliver_at INTEGER NULL, payload_expires_at INTEGER NULL, trace_parent TEXT NULL,
                UNIQUE (app_id, sequence),
                UNIQUE (app_id, event_id)
            );
            INSERT INTO messages_old SELECT id, app_id, sequence, event_id, event_type, payload, channels, tags, created_at, deliver_at, payload_expires_at, trace_parent FROM messages;
            DROP TABLE messages;
            ALTER TABLE messages_old RENAME TO messages;
            CREATE INDEX messages_app_id ON messages (app_id, id);
            CREATE INDEX messages_payload_expiry ON messages (payload_expires_at) WHERE payload IS NOT NULL;
            DELETE FROM schema_migrations WHERE version IN (14, 15);
            """,
            transaction: transaction);
        await transaction.CommitAsync();
        await connection.ExecuteAsync("PRAGMA foreign_keys = ON;");
    }
}
