using Herald.Server.Tests.Infrastructure;

namespace Herald.Server.Tests.Endpoints;

/// <summary>The secret and headers sub-resources of an endpoint.</summary>
public sealed class EndpointSecretsAndHeadersApiTests : IDisposable
{
    private static readonly string SuppliedSecret = "whsec_" + Convert.ToBase64String(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());

    private readonly HeraldApplication _herald = new();
    private readonly HttpClient _client;

    public EndpointSecretsAndHeadersApiTests() => _client = _herald.CreateAdminClient();

    public void Dispose() => _herald.Dispose();

    private async Task<string> CreateAppAsync() => (string)(await _client.CreateAppAsync("Acme", "acme"))["id"]!;

    private async Task<string> GetSecretAsync(string appId, string endpointId) =>
        (string)(await (await _client.GetAsync($"/api/v1/app/{appId}/endpoint/{endpointId}/secret")).ReadObjectAsync(HttpStatusCode.OK))["key"]!;

    private static List<string?> Loc(JsonObject error, int index = 0) =>
        error["detail"]![index]!["loc"]!.AsArray().Select(n => (string?)n).ToList();

    [Fact]
    public async Task Secret_Generated_IsWhsecAndBase64OfAtLeast24Bytes()
    {
        var appId = await CreateAppAsync();
        var endpoint = await _client.CreateEndpointAsync(appId);

        var secret = await GetSecretAsync(appId, (string)endpoint["id"]!);

        Assert.StartsWith("whsec_", secret);
        Assert.True(Convert.FromBase64String(secret["whsec_".Length..]).Length >= 24);
    }

    [Fact]
    public async Task Secret_GeneratedForTwoEndpoints_Differ()
    {
        var appId = await CreateAppAsync();
        var first = await _client.CreateEndpointAsync(appId, "https://example.com/1");
        var second = await _client.CreateEndpointAsync(appId, "https://example.com/2");

        Assert.NotEqual(await GetSecretAsync(appId, (string)first["id"]!), await GetSecretAsync(appId, (string)second["id"]!));
    }

    [Fact]
    public async Task Rotate_WithoutKey_MakesANewDifferentKeyCurrent()
    {
        var appId = await CreateAppAsync();
        var endpointId = (string)(await _client.CreateEndpointAsync(appId))["id"]!;
        var before = await GetSecretAsync(appId, endpointId);

        var rotated = await _client.PostJsonAsync($"/api/v1/app/{appId}/endpoint/{endpointId}/secret/rotate", "{}");

        Assert.Equal(HttpStatusCode.NoContent, rotated.StatusCode);
        var after = await GetSecretAsync(appId, endpointId);
        Assert.NotEqual(before, after);
        Assert.StartsWith("whsec_", after);
        Assert.True(Convert.FromBase64String(after["whsec_".Length..]).Length >= 24);
    }

    [Fact]
    public async Task Rotate_WithoutBody_MakesANewKeyCurrent()
    {
        var appId = await CreateAppAsync();
        var endpointId = (string)(await _client.CreateEndpointAsync(appId))["id"]!;
        var before = await GetSecretAsync(appId, endpointId);

        var rotated = await _client.PostAsync($"/api/v1/app/{appId}/endpoint/{endpointId}/secret/rotate", null);

        Assert.Equal(HttpStatusCode.NoContent, rotated.StatusCode);
        Assert.NotEqual(before, await GetSecretAsync(appId, endpointId));
    }

    [Fact]
    public async Task Rotate_WithKey_MakesThatKeyCurrent()
    {
        var appId = await CreateAppAsync();
        var endpointId = (string)(await _client.CreateEndpointAsync(appId))["id"]!;

        var rotated = await _client.PostAsJsonAsync($"/api/v1/app/{appId}/endpoint/{endpointId}/secret/rotate", new { key = SuppliedSecret });

        Assert.Equal(HttpStatusCode.NoContent, rotated.StatusCode);
        Assert.Equal(SuppliedSecret, await GetSecretAsync(appId, endpointId));
    }

    [Theory]
    [InlineData("whsec_short")]
    [InlineData("nope")]
    public async Task Rotate_InvalidKey_Returns422AndKeepsTheSecret(string key)
    {
        var appId = await CreateAppAsync();
        var endpointId = (string)(await _client.CreateEndpointAsync(appId))["id"]!;
        var before = await GetSecretAsync(appId, endpointId);

        var response = await _client.PostAsJsonAsync($"/api/v1/app/{appId}/endpoint/{endpointId}/secret/rotate", new { key });

        var error = await response.AssertErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_error");
        Assert.Equal(["body", "key"], Loc(error));
        Assert.Equal(before, await GetSecretAsync(appId, endpointId));
    }

    [Fact]
    public async Task Headers_PutThenGet_ReturnsThem()
    {
        var appId = await CreateAppAsync();
        var endpointId = (string)(await _client.CreateEndpointAsync(appId))["id"]!;
        var url = $"/api/v1/app/{appId}/endpoint/{endpointId}/headers";

        var put = await _client.PutAsJsonAsync(url, new { headers = new Dictionary<string, string> { ["X-Trace"] = "on", ["X-Region"] = "eu" } });

        Assert.Equal(HttpStatusCode.NoContent, put.StatusCode);
        var headers = await (await _client.GetAsync(url)).ReadObjectAsync(HttpStatusCode.OK);
        Assert.Equal("on", (string?)headers["headers"]!["X-Trace"]);
        Assert.Equal("eu", (string?)headers["headers"]!["X-Region"]);
        Assert.Equal(2, headers["headers"]!.AsObject().Count);
        Assert.Empty(headers["sensitive"]!.AsArray());
    }

    [Fact]
    public async Task Headers_Put_ReplacesAllHeaders()
    {
        var appId = await CreateAppAsync();
        var endpointId = (string)(await _client.CreateEndpointAsync(appId, extra: new JsonObject { ["headers"] = new JsonObject { ["X-Old"] = "1" } }))["id"]!;
        var url = $"/api/v1/app/{appId}/endpoint/{endpointId}/headers";

        (await _client.PutAsJsonAsync(url, new { headers = new Dictionary<string, string> { ["X-New"] = "2" } })).EnsureSuccessStatusCode();

        var headers = await (await _client.GetAsync(url)).ReadObjectAsync(HttpStatusCode.OK);
        Assert.Equal(["X-New"], headers["headers"]!.AsObject().Select(h => h.Key));
    }

    [Fact]
    public async Task Headers_Patch_SetsSomeAndDeletesOthers()
    {
        var appId = await CreateAppAsync();
        var endpointId = (string)(await _client.CreateEndpointAsync(appId, extra: new JsonObject
        {
            ["headers"] = new JsonObject { ["X-Keep"] = "1", ["X-Drop"] = "2", ["X-Change"] = "3" },
        }))["id"]!;
        var url = $"/api/v1/app/{appId}/endpoint/{endpointId}/headers";

        var patch = await _client.PatchAsJsonAsync(url, new { headers = new Dictionary<string, string> { ["X-Change"] = "33", ["X-Add"] = "4" }, deleteHeaders = new[] { "X-Drop" } });

        Assert.Equal(HttpStatusCode.NoContent, patch.StatusCode);
        var headers = (await (await _client.GetAsync(url)).ReadObjectAsync(HttpStatusCode.OK))["headers"]!.AsObject();
        Assert.Equal(
            new Dictionary<string, string> { ["X-Keep"] = "1", ["X-Change"] = "33", ["X-Add"] = "4" },
            headers.ToDictionary(h => h.Key, h => (string)h.Value!));
    }

    [Fact]
    public async Task Headers_Sensitive_AreListedButTheirValuesNeverReturned()
    {
        var appId = await CreateAppAsync();
        var endpoint = await _client.CreateEndpointAsync(appId, extra: new JsonObject
        {
            ["headers"] = new JsonObject { ["Authorization"] = "Bearer top-secret-token-1", ["X-Api-Key"] = "top-secret-key-2", ["X-Trace"] = "on" },
        });
        var endpointId = (string)endpoint["id"]!;

        var response = await _client.GetAsync($"/api/v1/app/{appId}/endpoint/{endpointId}/headers");
        var text = await response.Content.ReadAsStringAsync();
        var headers = await response.ReadObjectAsync(HttpStatusCode.OK);

        Assert.Equal(["X-Trace"], headers["headers"]!.AsObject().Select(h => h.Key));
        Assert.Equal(["Authorization", "X-Api-Key"], headers["sensitive"]!.AsArray().Select(n => (string?)n).Order(StringComparer.Ordinal));
        foreach (var body in new[] { text, endpoint.ToJsonString(), await _client.GetStringAsync($"/api/v1/app/{appId}/endpoint/{endpointId}"), await _client.GetStringAsync($"/api/v1/app/{appId}/endpoint") })
        {
            Assert.DoesNotContain("top-secret-token-1", body);
            Assert.DoesNotContain("top-secret-key-2", body);
        }
    }

    [Theory]
    [InlineData("webhook-signature")]
    [InlineData("Host")]
    [InlineData("svix-id")]
    [InlineData("Content-Length")]
    public async Task Headers_Reserved_Return422Everywhere(string name)
    {
        var appId = await CreateAppAsync();
        var endpointId = (string)(await _client.CreateEndpointAsync(appId))["id"]!;
        var headers = new JsonObject { [name] = "x" };
        var url = $"/api/v1/app/{appId}/endpoint/{endpointId}/headers";

        var create = await _client.PostAsJsonAsync($"/api/v1/app/{appId}/endpoint", new JsonObject { ["url"] = "https://example.com", ["headers"] = headers.DeepClone() });
        var put = await _client.PutAsJsonAsync(url, new JsonObject { ["headers"] = headers.DeepClone() });
        var patch = await _client.PatchAsJsonAsync(url, new JsonObject { ["headers"] = headers.DeepClone() });

        foreach (var response in new[] { create, put, patch })
        {
            var error = await response.AssertErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_error");
            Assert.Equal("reserved_header", (string?)error["detail"]![0]!["type"]);
        }

        var stored = await (await _client.GetAsync(url)).ReadObjectAsync(HttpStatusCode.OK);
        Assert.Empty(stored["headers"]!.AsObject());
    }
}
