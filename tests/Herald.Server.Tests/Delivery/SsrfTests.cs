using Herald.Server.Tests.Infrastructure;

namespace Herald.Server.Tests.Delivery;

/// <summary>
/// Promise 6 end to end: with no AllowedNetworks, endpoint URLs that are (or resolve to) loopback, private, link-local
/// or metadata addresses get a failed attempt saying the connection was refused, and nothing reaches the receiver.
/// </summary>
public sealed class SsrfTests : IAsyncLifetime
{
    private WebhookReceiver _receiver = null!;

    public async Task InitializeAsync() => _receiver = await WebhookReceiver.StartAsync();

    public async Task DisposeAsync() => await _receiver.DisposeAsync();

    [Theory]
    [InlineData("http://127.0.0.1:{port}/webhook")]
    [InlineData("http://localhost:{port}/webhook")]
    [InlineData("http://[::1]:{port}/webhook")]
    [InlineData("http://[::ffff:127.0.0.1]:{port}/webhook")]
    [InlineData("http://0.0.0.0:{port}/webhook")]
    [InlineData("http://10.0.0.1:{port}/webhook")]
    [InlineData("http://169.254.169.254/latest/meta-data/")]
    [InlineData("http://100.64.0.1/webhook")]
    [InlineData("http://192.168.0.1/webhook")]
    public async Task EndpointAtADisallowedAddress_GetsARefusedAttempt_AndNothingIsSent(string url)
    {
        using var herald = new HeraldApplication();
        var client = herald.CreateAdminClient();
        await client.CreateAppAsync("Acme", "acme");
        await client.CreateEndpointAsync("acme", url.Replace("{port}", _receiver.BaseAddress.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)));

        var message = await client.PublishAsync("acme");

        var attempt = (await client.WaitForAttemptsAsync("acme", (string)message["id"]!, 1)).Single()!;
        Assert.Equal(0, (int)attempt["responseStatusCode"]!);
        Assert.Equal(2, (int)attempt["status"]!);
        Assert.Contains("Refused to connect", (string?)attempt["error"]);
        Assert.Empty(_receiver.Received);
    }

    [Fact]
    public async Task RedirectToAPrivateAddress_IsNotFollowed()
    {
        await using var elsewhere = await WebhookReceiver.StartAsync();
        // Only the first receiver's address is allowed; its redirects point at a private address and at another loopback receiver.
        using var herald = new HeraldApplication().With("Herald:Delivery:AllowedNetworks:0", "127.0.0.1/32");
        var client = herald.CreateAdminClient();
        await client.CreateAppAsync("Acme", "acme");
        await client.CreateEndpointAsync("acme", _receiver.Url("/to-private"));
        await client.CreateEndpointAsync("acme", _receiver.Url("/to-loopback"));
        _receiver.Respond = (webhook, context) =>
        {
            context.Response.StatusCode = 302;
            context.Response.Headers.Location = webhook.Path == "/to-private" ? "http://10.0.0.1/internal" : elsewhere.Url("/internal");
            return Task.CompletedTask;
        };

        var message = await client.PublishAsync("acme");

        var attempts = await client.WaitForAttemptsAsync("acme", (string)message["id"]!, 2);
        Assert.All(attempts, a => Assert.Equal(302, (int)a!["responseStatusCode"]!));
        Assert.All(attempts, a => Assert.Equal(2, (int)a!["status"]!));
        Assert.Equal(2, _receiver.Received.Count);
        Assert.Empty(elsewhere.Received);
    }
}
