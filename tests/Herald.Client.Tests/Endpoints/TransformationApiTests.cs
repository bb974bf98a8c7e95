using Herald.Client.Tests.Infrastructure;
using Herald.Server.Tests.Infrastructure;

namespace Herald.Client.Tests.Endpoints;

public sealed class TransformationApiTests : IDisposable
{
    private const string Wrap = """
        function handler(webhook) {
          webhook.payload = { wrapped: webhook.payload, type: webhook.eventType };
          webhook.url = webhook.url + "?t=1";
          return webhook;
        }
        """;

    private readonly HeraldApplication _server = new();
    private readonly HeraldClient _herald;

    public TransformationApiTests() => _herald = _server.CreateHeraldClient();

    public void Dispose()
    {
        _herald.Dispose();
        _server.Dispose();
    }

    [Fact]
    public async Task Transformation_SetGetDisableAndRemove_RoundTrips()
    {
        await _herald.CreateShopAsync("invoice.paid");
        await _herald.Endpoints.CreateAsync("shop", new EndpointIn { Url = "https://example.com/hooks", Uid = "main" });

        var none = await _herald.Endpoints.GetTransformationAsync("shop", "main");
        Assert.Equal((null, false, null), (none.Code, none.Enabled, none.UpdatedAt));

        await _herald.Endpoints.PatchTransformationAsync("shop", "main", new EndpointTransformationPatch { Code = Wrap, Enabled = true });
        var set = await _herald.Endpoints.GetTransformationAsync("shop", "main");
        Assert.Equal((Wrap, true), (set.Code, set.Enabled));
        Assert.NotNull(set.UpdatedAt);

        await _herald.Endpoints.PatchTransformationAsync("shop", "main", new EndpointTransformationPatch { Enabled = false });
        var disabled = await _herald.Endpoints.GetTransformationAsync("shop", "main");
        Assert.Equal((Wrap, false), (disabled.Code, disabled.Enabled));

        await _herald.Endpoints.RemoveTransformationCodeAsync("shop", "main");
        var removed = await _herald.Endpoints.GetTransformationAsync("shop", "main");
        Assert.Equal((null, false), (removed.Code, removed.Enabled));
    }

    [Fact]
    public async Task Simulate_WithWrappingCode_ReturnsTheChangedWebhookAndSendsNothing()
    {
        await _herald.CreateShopAsync("invoice.paid");
        await _herald.Endpoints.CreateAsync("shop", new EndpointIn { Url = "https://example.com/hooks", Uid = "main" });
        using var payload = JsonDocument.Parse("""{"invoice": 1001}""");

        var result = await _herald.Endpoints.SimulateTransformationAsync("shop", "main", new TransformationSimulateIn
        {
            Code = Wrap,
            EventType = "invoice.paid",
            Payload = payload.RootElement,
        });

        Assert.Equal(("https://example.com/hooks?t=1", "POST", false), (result.Url, result.Method, result.Cancel));
        using var body = JsonDocument.Parse(result.Payload);
        Assert.Equal(1001, body.RootElement.GetProperty("wrapped").GetProperty("invoice").GetInt32());
        Assert.Equal("invoice.paid", body.RootElement.GetProperty("type").GetString());
        var messages = await _herald.Messages.ListAsync("shop");
        Assert.Empty(messages.Data);
    }

    [Fact]
    public async Task Simulate_WithAThrowingScript_Throws422_TransformationFailed()
    {
        await _herald.CreateShopAsync("invoice.paid");
        await _herald.Endpoints.CreateAsync("shop", new EndpointIn { Url = "https://example.com/hooks", Uid = "main" });
        using var payload = JsonDocument.Parse("{}");

        var e = await Assert.ThrowsAsync<HeraldApiException>(() => _herald.Endpoints.SimulateTransformationAsync("shop", "main", new TransformationSimulateIn
        {
            Code = "function handler(webhook) { throw new Error('no invoice'); }",
            EventType = "invoice.paid",
            Payload = payload.RootElement,
        }));

        Assert.Equal((HttpStatusCode.UnprocessableEntity, "transformation_failed"), (e.StatusCode, e.Code));
        Assert.Contains("no invoice", e.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Patch_WithCodeWithoutHandler_Throws422_NamingTheCode()
    {
        await _herald.CreateShopAsync("invoice.paid");
        await _herald.Endpoints.CreateAsync("shop", new EndpointIn { Url = "https://example.com/hooks", Uid = "main" });

        var e = await Assert.ThrowsAsync<HeraldApiException>(() => _herald.Endpoints.PatchTransformationAsync(
            "shop", "main", new EndpointTransformationPatch { Code = "function other(webhook) { return webhook; }", Enabled = true }));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, e.StatusCode);
        Assert.Contains(e.Errors, error => error.Loc.Contains("code"));
        Assert.Null((await _herald.Endpoints.GetTransformationAsync("shop", "main")).Code);
    }
}
