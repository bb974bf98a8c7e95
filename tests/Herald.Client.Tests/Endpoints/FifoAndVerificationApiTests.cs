using Herald.Client.Tests.Infrastructure;
using Herald.Server.Tests.Infrastructure;

namespace Herald.Client.Tests.Endpoints;

public sealed class FifoAndVerificationApiTests : IDisposable
{
    private readonly HeraldApplication _server = new();
    private readonly HeraldClient _herald;

    public FifoAndVerificationApiTests() => _herald = _server.CreateHeraldClient();

    public void Dispose()
    {
        _herald.Dispose();
        _server.Dispose();
    }

    [Fact]
    public async Task FifoEndpoint_CreatedPatchedAndResumed_RoundTripsItsFields()
    {
        await _herald.CreateShopAsync("order.created");

        var created = await _herald.Endpoints.CreateAsync("shop", new EndpointIn { Url = "https://example.com/ordered", Uid = "ordered", Fifo = true });
        Assert.Equal((true, FifoExhaustion.Stop, null), (created.Fifo, created.FifoOnExhaustion, created.FifoStoppedAt));

        var patched = await _herald.Endpoints.PatchAsync("shop", "ordered", new EndpointPatch { FifoOnExhaustion = FifoExhaustion.Skip });
        Assert.Equal((true, FifoExhaustion.Skip), (patched.Fifo, patched.FifoOnExhaustion));

        await _herald.Endpoints.ResumeFifoAsync("shop", "ordered"); // A running line: nothing to resume, still 204.
        Assert.Null((await _herald.Endpoints.GetAsync("shop", "ordered")).FifoStoppedAt);
    }

    [Fact]
    public async Task ResumeFifo_OnAnOrdinaryEndpoint_Throws409NotFifo()
    {
        await _herald.CreateShopAsync("order.created");
        await _herald.Endpoints.CreateAsync("shop", new EndpointIn { Url = "https://example.com/plain", Uid = "plain" });

        var e = await Assert.ThrowsAsync<HeraldApiException>(() => _herald.Endpoints.ResumeFifoAsync("shop", "plain"));

        Assert.Equal((HttpStatusCode.Conflict, "not_fifo"), (e.StatusCode, e.Code));
    }

    [Fact]
    public async Task Verification_HandshakeEndpoint_IsPendingUntilTheReceiverAgrees_AndCanBeRerun()
    {
        await _herald.CreateShopAsync("order.created");

        var created = await _herald.Endpoints.CreateAsync("shop", new EndpointIn
        {
            Url = "https://receiver.invalid/hooks",
            Uid = "checked",
            VerificationMethod = EndpointVerificationMethod.Handshake,
        });
        Assert.NotNull(created.Verification);
        Assert.Equal(("pending", "handshake", null), (created.Verification.Status, created.Verification.Method, created.Verification.VerifiedAt));

        var rerun = await _herald.Endpoints.VerifyAsync("shop", "checked");
        Assert.Equal("handshake", rerun.Verification!.Method);
        Assert.NotEqual("verified", rerun.Verification.Status); // receiver.invalid never answers.
    }

    [Fact]
    public async Task Create_WithAnUnknownVerificationMethod_Throws422_NamingTheField()
    {
        await _herald.CreateShopAsync("order.created");

        var e = await Assert.ThrowsAsync<HeraldApiException>(() => _herald.Endpoints.CreateAsync("shop", new EndpointIn
        {
            Url = "https://example.com/hooks",
            VerificationMethod = "magic",
        }));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, e.StatusCode);
        Assert.Contains(e.Errors, error => error.Loc.SequenceEqual(["body", "verificationMethod"]));
    }

    [Fact]
    public async Task Verify_OnAnEndpointWithoutVerification_Throws409()
    {
        await _herald.CreateShopAsync("order.created");
        await _herald.Endpoints.CreateAsync("shop", new EndpointIn { Url = "https://example.com/plain", Uid = "plain" });

        var e = await Assert.ThrowsAsync<HeraldApiException>(() => _herald.Endpoints.VerifyAsync("shop", "plain"));

        Assert.Equal(HttpStatusCode.Conflict, e.StatusCode);
    }
}
