using Herald.Server.Tests.Delivery;
using Herald.Server.Tests.Infrastructure;
using static Herald.Server.Tests.Secrets.SecretsTestKit;

namespace Herald.Server.Tests.Secrets;

/// <summary>
/// Endpoint secrets and headers are stored sealed with the main key, on both engines: what is stored is ciphertext,
/// deliveries still sign and carry the header, main keys rotate, and plaintext from an older version gets sealed.
/// </summary>
public sealed class SecretsAtRestTests : IAsyncLifetime
{
    private const string MainKey = "Herald:Secrets:MainKey";
    private const string PreviousKey = "Herald:Secrets:PreviousKeys:0";

    private WebhookReceiver _receiver = null!;

    public async Task InitializeAsync() => _receiver = await WebhookReceiver.StartAsync();

    public async Task DisposeAsync() => await _receiver.DisposeAsync();

    [Fact]
    public async Task EndpointSecretAndHeaders_AreStoredSealed_AndStillSignAndReachTheReceiver()
    {
        using var herald = DeliveryTestKit.LoopbackHerald().With(MainKey, TestMainKeys.A);
        var client = herald.CreateAdminClient();
        var endpointId = await CreateGuardedEndpointAsync(client, _receiver.Url());

        var stored = await StoredAsync(herald, endpointId);
        var key = Assert.Single(stored.Keys);
        Assert.StartsWith($"hk1:{KeyId(TestMainKeys.A)}:", key);
        Assert.StartsWith($"hk1:{KeyId(TestMainKeys.A)}:", stored.Headers);
        Assert.DoesNotContain(Secret["whsec_".Length..], key);
        Assert.DoesNotContain("canary", stored.Headers);

        Assert.Equal(Secret, (string?)(await client.GetObjectAsync($"/api/v1/app/acme/endpoint/{endpointId}/secret"))["key"]);
        await AssertDeliversAsync(client, _receiver, Secret);
    }

    [Fact]
    public async Task SecretRotation_KeepsBothKeysSealed_AndResupplyingAnOldKeyMakesItCurrentAgain()
    {
        using var herald = DeliveryTestKit.LoopbackHerald().With(MainKey, TestMainKeys.A);
        var client = herald.CreateAdminClient();
        var endpointId = await CreateGuardedEndpointAsync(client, _receiver.Url());
        var second = "whsec_" + Convert.ToBase64String(new byte[32]);

        Assert.Equal(HttpStatusCode.NoContent, (await client.PostJsonAsync($"/api/v1/app/acme/endpoint/{endpointId}/secret/rotate", $$"""{"key":"{{second}}"}""")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await client.PostJsonAsync($"/api/v1/app/acme/endpoint/{endpointId}/secret/rotate", $$"""{"key":"{{Secret}}"}""")).StatusCode);

        var stored = await StoredAsync(herald, endpointId);
        Assert.Equal(2, stored.Keys.Count);
        Assert.All(stored.Keys, k => Assert.StartsWith("hk1:", k));
        Assert.Equal(Secret, (string?)(await client.GetObjectAsync($"/api/v1/app/acme/endpoint/{endpointId}/secret"))["key"]);
    }

    [Fact]
    public async Task MainKeyRotation_OldValuesStillOpen_AreResealedAtStart_AndTheOldKeyAloneNoLongerStarts()
    {
        using var first = DeliveryTestKit.LoopbackHerald().With(MainKey, TestMainKeys.A);
        var endpointId = await CreateGuardedEndpointAsync(first.CreateAdminClient(), _receiver.Url());
        await AssertDeliversAsync(first.CreateAdminClient(), _receiver, Secret);

        // B current, A previous: what A sealed still opens, and the start-up pass reseals it with B.
        using var rotating = Restart(first, first, (MainKey, TestMainKeys.B), (PreviousKey, TestMainKeys.A));
        await AssertDeliversAsync(rotating.CreateAdminClient(), _receiver, Secret);
        var stored = await StoredAsync(rotating, endpointId);
        Assert.All(stored.Keys.Append(stored.Headers), v => Assert.StartsWith($"hk1:{KeyId(TestMainKeys.B)}:", v));

        using var rotated = Restart(first, rotating, (MainKey, TestMainKeys.B));
        await AssertDeliversAsync(rotated.CreateAdminClient(), _receiver, Secret);

        // Only the retired key: nothing opens, so Herald refuses to start and says which key is missing.
        await using var wrong = await StartProcessAsync(first, rotated, TestMainKeys.A);
        Assert.NotEqual(0, await wrong.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("Herald cannot start", wrong.Output);
        Assert.Contains($"main key {KeyId(TestMainKeys.B)}, which is not configured", wrong.Output);
        Assert.Contains("ForgetUnreadable", wrong.Output);
        Assert.DoesNotContain(TestMainKeys.B, wrong.Output);
    }

    [Fact]
    public async Task LostMainKey_ForgetUnreadable_GivesTheEndpointANewSecret_AndDropsItsHeaders()
    {
        using var first = DeliveryTestKit.LoopbackHerald().With(MainKey, TestMainKeys.A);
        var endpointId = await CreateGuardedEndpointAsync(first.CreateAdminClient(), _receiver.Url());

        using var recovered = Restart(first, first, (MainKey, TestMainKeys.B), ("Herald:Secrets:ForgetUnreadable", "true"));
        var client = recovered.CreateAdminClient();

        var secret = (string)(await client.GetObjectAsync($"/api/v1/app/acme/endpoint/{endpointId}/secret"))["key"]!;
        Assert.NotEqual(Secret, secret);
        Assert.StartsWith("whsec_", secret);
        await AssertDeliversAsync(client, _receiver, secret, authorization: null);
    }

    [Fact]
    public async Task PlaintextFromAnOlderVersion_IsReadUntilSealed_AndSealedAtTheNextStart()
    {
        using var old = DeliveryTestKit.LoopbackHerald().With(MainKey, TestMainKeys.A);
        var endpointId = await CreateGuardedEndpointAsync(old.CreateAdminClient(), _receiver.Url());
        // As a version before sealing stored them: the whsec_ key and the headers' JSON, as they are.
        await ExecuteRawAsync(old, "UPDATE endpoint_secrets SET key = @Secret WHERE endpoint_id = @endpointId", new { Secret, endpointId });
        await ExecuteRawAsync(old, "UPDATE endpoints SET headers = @headers WHERE id = @endpointId",
            new { headers = $$"""{"Authorization":"{{BearerToken}}"}""", endpointId });
        Assert.Equal(Secret, Assert.Single((await StoredAsync(old, endpointId)).Keys));
        await AssertDeliversAsync(old.CreateAdminClient(), _receiver, Secret);

        using var upgraded = Restart(old, old, (MainKey, TestMainKeys.A));
        var stored = await StoredAsync(upgraded, endpointId);
        Assert.All(stored.Keys.Append(stored.Headers), v => Assert.StartsWith($"hk1:{KeyId(TestMainKeys.A)}:", v));
        await AssertDeliversAsync(upgraded.CreateAdminClient(), _receiver, Secret);
    }
}
