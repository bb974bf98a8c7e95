using Herald.Server.Tests.Infrastructure;

namespace Herald.Server.Tests.Cluster;

/// <summary>
/// Two Herald nodes on one PostgreSQL database: an API key revoked, expired or rotated through one node is refused by
/// the other from its next request, although that node had just accepted the key (no node keeps tokens in memory).
/// PostgreSQL only: a SQLite data directory serves one Herald process.
/// </summary>
public sealed class ApiKeyClusterTests : IAsyncLifetime
{
    private const string Keys = "/api/v1/auth/api-key";
    private readonly HeraldApplication _nodeA = new();
    private HeraldApplication _nodeB = null!;

    public Task InitializeAsync()
    {
        _ = _nodeA.Services; // started, so its database exists
        _nodeB = _nodeA.AnotherNode();
        _ = _nodeB.Services;
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _nodeB.DisposeAsync();
        await _nodeA.DisposeAsync();
    }

    private async Task<JsonObject> CreateKeyAsync(string name) =>
        await (await _nodeA.CreateAdminClient().PostJsonAsync(Keys, $$"""{"name":"{{name}}","scopes":["admin"]}""")).ReadObjectAsync(HttpStatusCode.Created);

    private async Task<HttpStatusCode> OnNodeBAsync(string secret) => (await _nodeB.CreateClient(secret).GetAsync("/api/v1/app")).StatusCode;

    [Fact]
    public async Task KeyEndedOnOneNode_IsRefusedByTheOtherAtOnce()
    {
        var revoked = await CreateKeyAsync("revoked");
        var expired = await CreateKeyAsync("expired");
        var rotated = await CreateKeyAsync("rotated");
        foreach (var key in new[] { revoked, expired, rotated })
        {
            Assert.Equal(HttpStatusCode.OK, await OnNodeBAsync((string)key["key"]!));
        }

        var admin = _nodeA.CreateAdminClient();
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"{Keys}/{revoked["id"]}")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.PostAsync($"{Keys}/{expired["id"]}/expire", null)).StatusCode);
        var fresh = await (await admin.PostAsync($"{Keys}/{rotated["id"]}/rotate", null)).ReadObjectAsync(HttpStatusCode.OK);

        Assert.Equal(HttpStatusCode.Unauthorized, await OnNodeBAsync((string)revoked["key"]!));
        Assert.Equal(HttpStatusCode.Unauthorized, await OnNodeBAsync((string)expired["key"]!));
        Assert.Equal(HttpStatusCode.Unauthorized, await OnNodeBAsync((string)rotated["key"]!));
        Assert.Equal(HttpStatusCode.OK, await OnNodeBAsync((string)fresh["key"]!));
    }

    [Fact]
    public async Task TwoNodesRevokingTheLastTwoAdminKeysAtOnce_LeaveOne()
    {
        var other = await CreateKeyAsync("other");
        var bootstrapId = (string)(await (await _nodeA.CreateAdminClient().GetAsync(Keys)).ReadObjectAsync(HttpStatusCode.OK))["data"]![0]!["id"]!;

        var answers = await Task.WhenAll(
            _nodeA.CreateClient((string)other["key"]!).DeleteAsync($"{Keys}/{bootstrapId}"),
            _nodeB.CreateAdminClient().DeleteAsync($"{Keys}/{other["id"]}"));

        // One revocation wins; the other is refused as the last admin key (409), or — when its request was authenticated
        // after the winner committed — its own key is already gone (401). Never both.
        Assert.Single(answers, a => a.StatusCode == HttpStatusCode.NoContent);
        Assert.Single(answers, a => a.StatusCode is HttpStatusCode.Conflict or HttpStatusCode.Unauthorized);
        var statuses = new[] { await OnNodeBAsync(HeraldApplication.AdminToken), await OnNodeBAsync((string)other["key"]!) };
        Assert.Single(statuses, HttpStatusCode.OK);
    }
}
