using System.Net.Http.Headers;
using Herald.Server.Tests.Infrastructure;

namespace Herald.Server.Tests.RateLimits;

/// <summary>Failed authentication slowed per client address (Herald:RateLimits:FailedAuthentication*), on a fake clock.</summary>
public sealed class FailedAuthenticationThrottleTests : IDisposable
{
    private const string Guesser = "203.0.113.7";
    private const string Bystander = "198.51.100.9";
    private const string WrongToken = "herald_sk_wrong_token_0123456789abcdef";

    private readonly HeraldApplication _herald = new HeraldApplication().WithFakeTime()
        .With("Herald:RateLimits:FailedAuthenticationsPerMinute", "1")
        .With("Herald:RateLimits:FailedAuthenticationBurst", "2");

    public void Dispose() => _herald.Dispose();

    /// <summary>GET /api/v1/app from <paramref name="address"/> (TestServer lets the test set the peer address).</summary>
    private async Task<(int Status, string? RetryAfter, string? Code)> FromAsync(string address, string? token, string path = "/api/v1/app")
    {
        _herald.CreateClient().Dispose(); // starts the server
        var context = await _herald.Server.SendAsync(c =>
        {
            c.Request.Method = "GET";
            c.Request.Path = path;
            c.Connection.RemoteIpAddress = IPAddress.Parse(address);
            if (token is not null)
            {
                c.Request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token).ToString();
            }
        });
        var body = await JsonNode.ParseAsync(context.Response.Body);
        return (context.Response.StatusCode, context.Response.Headers.RetryAfter.FirstOrDefault(), (string?)body?["code"]);
    }

    [Fact]
    public async Task FailedAuthentication_FromOneAddress_IsRefusedWith429_WhileOtherAddressesStillGetIn()
    {
        Assert.Equal((401, null, "unauthorized"), await FromAsync(Guesser, WrongToken));
        Assert.Equal((401, null, "unauthorized"), await FromAsync(Guesser, null));

        Assert.Equal((429, "60", "rate_limited"), await FromAsync(Guesser, WrongToken));
        Assert.Equal((429, "60", "rate_limited"), await FromAsync(Guesser, HeraldApplication.AdminToken)); // refused before the token is looked at
        Assert.Equal(200, (await FromAsync(Guesser, null, "/api/v1/health")).Status); // a balancer's probes may share the address
        Assert.Equal(200, (await FromAsync(Bystander, HeraldApplication.AdminToken)).Status);
        Assert.Equal((401, null, "unauthorized"), await FromAsync(Bystander, WrongToken));

        _herald.Time!.Advance(TimeSpan.FromSeconds(59));
        Assert.Equal((429, "1", "rate_limited"), await FromAsync(Guesser, WrongToken));
        _herald.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(200, (await FromAsync(Guesser, HeraldApplication.AdminToken)).Status); // a success spends nothing
        Assert.Equal((401, null, "unauthorized"), await FromAsync(Guesser, WrongToken));
        Assert.Equal((429, "60", "rate_limited"), await FromAsync(Guesser, WrongToken));
    }

    [Fact]
    public async Task FailedAuthentication_OverIPv6_CountsPerSlash64()
    {
        Assert.Equal(401, (await FromAsync("2001:db8:1:2::1", WrongToken)).Status);
        Assert.Equal(401, (await FromAsync("2001:db8:1:2::ffff", WrongToken)).Status);

        Assert.Equal(429, (await FromAsync("2001:db8:1:2:abcd::9", WrongToken)).Status);
        Assert.Equal(401, (await FromAsync("2001:db8:1:3::1", WrongToken)).Status);
    }

    [Fact]
    public async Task FailedAuthentication_FromAnIPv4MappedAddress_CountsAsTheIPv4Address()
    {
        Assert.Equal(401, (await FromAsync("::ffff:" + Guesser, WrongToken)).Status);
        Assert.Equal(401, (await FromAsync(Guesser, WrongToken)).Status);

        Assert.Equal(429, (await FromAsync("::ffff:" + Guesser, WrongToken)).Status);
    }

    [Fact]
    public async Task FailedAuthentication_WithTheThrottleOff_IsNeverRefused()
    {
        using var herald = new HeraldApplication().With("Herald:RateLimits:FailedAuthenticationsPerMinute", "0");
        var client = herald.CreateClient(WrongToken);

        for (var i = 0; i < 30; i++)
        {
            await (await client.GetAsync("/api/v1/app")).AssertErrorAsync(HttpStatusCode.Unauthorized, "unauthorized");
        }
    }
}
