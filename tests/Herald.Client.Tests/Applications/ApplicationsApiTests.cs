using Herald.Client.Tests.Infrastructure;
using Herald.Server.Tests.Infrastructure;

namespace Herald.Client.Tests.Applications;

public sealed class ApplicationsApiTests : IDisposable
{
    private readonly HeraldApplication _server = new();
    private readonly RecordingHandler _recorder = new();
    private readonly HeraldClient _herald;

    public ApplicationsApiTests() => _herald = _server.CreateHeraldClient(HeraldApplication.AdminToken, _recorder);

    public void Dispose()
    {
        _herald.Dispose();
        _server.Dispose();
    }

    [Fact]
    public async Task Crud_CreatesGetsPatchesUpsertsAndDeletes()
    {
        var created = await _herald.Applications.CreateAsync(new ApplicationIn
        {
            Name = "Shop",
            Uid = "shop",
            ThrottleRate = 10,
            Metadata = new Dictionary<string, string> { ["tier"] = "gold" },
        });
        Assert.StartsWith("app_", created.Id);
        Assert.Equal("gold", created.Metadata["tier"]);

        Assert.Equivalent(created, await _herald.Applications.GetAsync("shop"), strict: true);
        Assert.Equal(created.Id, (await _herald.Applications.GetAsync(created.Id)).Id);

        var patched = await _herald.Applications.PatchAsync("shop", new ApplicationPatch { Name = "Shop 2" });
        Assert.Equal(("Shop 2", "shop", 10), (patched.Name, patched.Uid, patched.ThrottleRate));

        var replaced = await _herald.Applications.UpsertAsync("shop", new ApplicationIn { Name = "Shop 3", Uid = "shop" });
        Assert.Null(replaced.ThrottleRate);
        Assert.Empty(replaced.Metadata);

        var upserted = await _herald.Applications.UpsertAsync("outlet", new ApplicationIn { Name = "Outlet" });
        Assert.Equal("outlet", upserted.Uid);

        await _herald.Applications.DeleteAsync("shop");
        var gone = await Assert.ThrowsAsync<HeraldApiException>(() => _herald.Applications.GetAsync("shop"));
        Assert.Equal((HttpStatusCode.NotFound, "not_found"), (gone.StatusCode, gone.Code));
        Assert.Equal("Application not found.", gone.Detail);
    }

    [Fact]
    public async Task GetOrCreate_ReturnsTheExistingApplicationWithTheSameUid()
    {
        var first = await _herald.Applications.GetOrCreateAsync(new ApplicationIn { Name = "Shop", Uid = "shop" });
        var second = await _herald.Applications.GetOrCreateAsync(new ApplicationIn { Name = "Other name", Uid = "shop" });

        Assert.Equivalent(first, second, strict: true);
        var conflict = await Assert.ThrowsAsync<HeraldApiException>(() => _herald.Applications.CreateAsync(new ApplicationIn { Name = "Shop", Uid = "shop" }));
        Assert.Equal((HttpStatusCode.Conflict, "conflict"), (conflict.StatusCode, conflict.Code));
    }

    [Fact]
    public async Task ListAll_WalksEveryPage_InOrder()
    {
        var ids = new List<string>();
        for (var i = 0; i < 7; i++)
        {
            ids.Add((await _herald.Applications.CreateAsync(new ApplicationIn { Name = $"App {i}" })).Id);
        }

        var first = await _herald.Applications.ListAsync(new ListOptions { Limit = 3 });
        Assert.Equal(ids[..3], first.Data.Select(a => a.Id));
        Assert.False(first.Done);
        Assert.NotNull(first.Iterator);
        Assert.NotNull(first.PrevIterator);

        var requestsBefore = _recorder.Requests.Count;
        var walked = new List<string>();
        await foreach (var app in _herald.Applications.ListAllAsync(new ListOptions { Limit = 3 }, TestEnvironment.Timeout()))
        {
            walked.Add(app.Id);
        }

        Assert.Equal(ids, walked);
        Assert.Equal(3, _recorder.Requests.Count - requestsBefore);

        var descending = await _herald.Applications.ListAsync(new ListOptions { Limit = 2, Order = ListOrder.Descending });
        Assert.Equal([ids[6], ids[5]], descending.Data.Select(a => a.Id));
    }

    [Fact]
    public async Task InvalidApplication_Throws422_WithEachProblem()
    {
        var e = await Assert.ThrowsAsync<HeraldApiException>(() =>
            _herald.Applications.CreateAsync(new ApplicationIn { Name = "", Uid = "not valid!", ThrottleRate = 0 }));

        Assert.Equal((HttpStatusCode.UnprocessableEntity, "validation_error"), (e.StatusCode, e.Code));
        Assert.Equal(["body.name", "body.uid", "body.throttleRate"], e.Errors.Select(error => string.Join('.', error.Loc)));
        Assert.Equal(["missing", "pattern_mismatch", "out_of_range"], e.Errors.Select(error => error.Type));
        Assert.Contains("body.uid", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Post_SendsAnAutomaticIdempotencyKey_UniquePerCall()
    {
        await _herald.Applications.CreateAsync(new ApplicationIn { Name = "A" });
        await _herald.Applications.CreateAsync(new ApplicationIn { Name = "A" });

        var keys = _recorder.Requests.Where(r => r.Method == HttpMethod.Post).Select(r => r.Headers.GetValues("Idempotency-Key").Single()).ToList();
        Assert.Equal(2, keys.Count);
        Assert.All(keys, key => Assert.Matches("^auto_[0-9a-f]{32}$", key));
        Assert.NotEqual(keys[0], keys[1]);
        Assert.Equal(2, (await _herald.Applications.ListAsync()).Data.Count);
        Assert.DoesNotContain(_recorder.Requests, r => r.Method != HttpMethod.Post && r.Headers.Contains("Idempotency-Key"));
    }

    [Fact]
    public async Task Post_WithTheSameIdempotencyKeyTwice_ReturnsTheSameApplication()
    {
        var first = await _herald.Applications.CreateAsync(new ApplicationIn { Name = "Shop" }, idempotencyKey: "create-shop-1");
        var again = await _herald.Applications.CreateAsync(new ApplicationIn { Name = "Shop" }, idempotencyKey: "create-shop-1");

        Assert.Equivalent(first, again, strict: true);
        Assert.Single((await _herald.Applications.ListAsync()).Data);

        var reused = await Assert.ThrowsAsync<HeraldApiException>(() =>
            _herald.Applications.CreateAsync(new ApplicationIn { Name = "Different" }, idempotencyKey: "create-shop-1"));
        Assert.Equal((HttpStatusCode.Conflict, "idempotency_key_reused"), (reused.StatusCode, reused.Code));
    }

    [Fact]
    public async Task WrongToken_Throws401Unauthorized()
    {
        using var stranger = _server.CreateHeraldClient("herald_sk_not_a_real_token");

        var e = await Assert.ThrowsAsync<HeraldApiException>(() => stranger.Applications.ListAsync());

        Assert.Equal((HttpStatusCode.Unauthorized, "unauthorized"), (e.StatusCode, e.Code));
    }
}
