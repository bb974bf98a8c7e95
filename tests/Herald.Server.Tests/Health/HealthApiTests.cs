using Herald.Server.Tests.Infrastructure;

namespace Herald.Server.Tests.Health;

/// <summary>svix-server's health routes: <c>/health</c> and <c>/health/ping</c>, with GET and HEAD, without a token.</summary>
public sealed class HealthApiTests : IDisposable
{
    private readonly HeraldApplication _herald = new();

    public void Dispose() => _herald.Dispose();

    [Theory]
    [InlineData("GET")]
    [InlineData("HEAD")]
    public async Task Ping_AnswersNoContent_WithoutAToken(string method)
    {
        var response = await _herald.CreateClient().SendAsync(new HttpRequestMessage(new HttpMethod(method), "/api/v1/health/ping"));

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task HeadHealth_AnswersOkWithoutABody_LikeGet()
    {
        var client = _herald.CreateClient();

        var head = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/api/v1/health"));
        var get = await (await client.GetAsync("/api/v1/health")).ReadObjectAsync(HttpStatusCode.OK);

        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());
        Assert.Equal("ok", (string?)get["status"]);
    }
}
