using Herald.Server.Tests.Delivery;
using Herald.Server.Tests.Infrastructure;
using static Herald.Server.Tests.Secrets.SecretsTestKit;

namespace Herald.Server.Tests.Secrets;

/// <summary>
/// SQLite's files on disk (so not in the PostgreSQL test project): the database file and its WAL reveal no endpoint
/// secret or header, the data directory is private to Herald's user, and the generated main key serves across restarts.
/// </summary>
public sealed class SqliteFilesTests : IAsyncLifetime
{
    private WebhookReceiver _receiver = null!;

    public async Task InitializeAsync() => _receiver = await WebhookReceiver.StartAsync();

    public async Task DisposeAsync() => await _receiver.DisposeAsync();

    [Fact]
    public async Task DatabaseFiles_HoldNeitherTheEndpointSecretNorItsHeader()
    {
        using var herald = DeliveryTestKit.LoopbackHerald();
        var client = herald.CreateAdminClient();
        await CreateGuardedEndpointAsync(client, _receiver.Url("/canary-url-path"));
        await AssertDeliversAsync(client, _receiver, Secret);

        var files = herald.RawDatabaseFiles();
        Assert.Contains("canary-url-path", files, StringComparison.Ordinal); // the grep sees what is stored in clear
        Assert.DoesNotContain(Secret["whsec_".Length..], files, StringComparison.Ordinal);
        Assert.DoesNotContain(BearerToken["Bearer ".Length..], files, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PlaintextFromAnOlderVersion_IsGoneFromTheDatabaseFiles_OnceSealed()
    {
        using var old = DeliveryTestKit.LoopbackHerald();
        var endpointId = await CreateGuardedEndpointAsync(old.CreateAdminClient(), _receiver.Url());
        await ExecuteRawAsync(old, "UPDATE endpoint_secrets SET key = @Secret WHERE endpoint_id = @endpointId", new { Secret, endpointId });
        await ExecuteRawAsync(old, "UPDATE endpoints SET headers = @headers WHERE id = @endpointId",
            new { headers = $$"""{"Authorization":"{{BearerToken}}"}""", endpointId });
        Assert.Contains(Secret["whsec_".Length..], old.RawDatabaseFiles(), StringComparison.Ordinal);

        using var upgraded = Restart(old, old);
        await AssertDeliversAsync(upgraded.CreateAdminClient(), _receiver, Secret);

        var files = upgraded.RawDatabaseFiles();
        Assert.DoesNotContain(Secret["whsec_".Length..], files, StringComparison.Ordinal);
        Assert.DoesNotContain(BearerToken["Bearer ".Length..], files, StringComparison.Ordinal);
    }

    [SkippableFact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task DataDirectory_IsMadePrivate_EvenWhenItExistedOpen()
    {
        Skip.If(OperatingSystem.IsWindows(), "Unix file modes only.");
        using var herald = DeliveryTestKit.LoopbackHerald();
        Directory.CreateDirectory(herald.DataDirectory);
        File.SetUnixFileMode(herald.DataDirectory, (UnixFileMode)0b111_111_111);
        await CreateGuardedEndpointAsync(herald.CreateAdminClient(), _receiver.Url());

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(herald.DataDirectory));
        foreach (var name in (string[])["herald.db", "herald.db-wal", "herald.db-shm", "main.key"])
        {
            var path = Path.Combine(herald.DataDirectory, name);
            Assert.True(File.Exists(path), name);
            Assert.Equal((name, UnixFileMode.UserRead | UnixFileMode.UserWrite), (name, File.GetUnixFileMode(path)));
        }
    }

    [Fact]
    public async Task GeneratedMainKey_IsKeptInTheDataDirectory_AndServesTheNextStart()
    {
        using var first = DeliveryTestKit.LoopbackHerald();
        var endpointId = await CreateGuardedEndpointAsync(first.CreateAdminClient(), _receiver.Url());
        var keyFile = Path.Combine(first.DataDirectory, "main.key");
        var keyId = KeyId(File.ReadAllText(keyFile).Trim());
        Assert.StartsWith($"hk1:{keyId}:", (await StoredAsync(first, endpointId)).Headers);

        using var second = Restart(first, first);
        await AssertDeliversAsync(second.CreateAdminClient(), _receiver, Secret);
        Assert.Equal(keyId, KeyId(File.ReadAllText(keyFile).Trim()));
    }
}
