using System.ComponentModel.DataAnnotations;
using Herald.Server.RateLimits;
using Herald.Server.Storage;
using Herald.Server.Tests.Infrastructure;

namespace Herald.Server.Tests.RateLimits;

/// <summary>Request budgets per token (Herald:RateLimits), on a fake clock: a budget refills only when the test moves time.</summary>
public sealed class RequestBudgetTests : IDisposable
{
    private readonly HeraldApplication _herald = new HeraldApplication().WithFakeTime()
        .With("Herald:RateLimits:ApplicationRequestsPerSecond", "0.5")
        .With("Herald:RateLimits:ApplicationBurst", "3");

    private readonly HttpClient _admin;

    public RequestBudgetTests() => _admin = _herald.CreateAdminClient();

    public void Dispose() => _herald.Dispose();

    private async Task<(string AppId, HttpClient Portal)> PortalAsync(string uid)
    {
        var appId = (string)(await _admin.CreateAppAsync(uid, uid))["id"]!;
        var access = await (await _admin.PostJsonAsync($"/api/v1/auth/app-portal-access/{appId}", "{}")).ReadObjectAsync(HttpStatusCode.OK);
        return (appId, _herald.CreateClient((string)access["token"]!));
    }

    [Fact]
    public async Task AppToken_OverItsBudget_Gets429WithRetryAfter_UntilTheBudgetRefills()
    {
        var (appId, portal) = await PortalAsync("acme");
        for (var i = 0; i < 3; i++)
        {
            await (await portal.GetAsync($"/api/v1/app/{appId}")).ReadObjectAsync(HttpStatusCode.OK);
        }

        var refused = await portal.GetAsync($"/api/v1/app/{appId}");

        var error = await refused.AssertErrorAsync(HttpStatusCode.TooManyRequests, "rate_limited");
        Assert.Contains("budget", (string?)error["detail"]);
        Assert.Equal("2", refused.Headers.GetValues("Retry-After").Single()); // one request back every 2 s at 0.5 per second

        _herald.Time!.Advance(TimeSpan.FromSeconds(1));
        await (await portal.GetAsync($"/api/v1/app/{appId}")).AssertErrorAsync(HttpStatusCode.TooManyRequests, "rate_limited");
        _herald.Time.Advance(TimeSpan.FromSeconds(1));
        await (await portal.GetAsync($"/api/v1/app/{appId}")).ReadObjectAsync(HttpStatusCode.OK);
        await (await portal.GetAsync($"/api/v1/app/{appId}")).AssertErrorAsync(HttpStatusCode.TooManyRequests, "rate_limited");
    }

    [Fact]
    public async Task AppTokens_HaveSeparateBudgets_AndAdminTokensAreNotLimitedByDefault()
    {
        var (acme, acmePortal) = await PortalAsync("acme");
        var (globex, globexPortal) = await PortalAsync("globex");
        for (var i = 0; i < 3; i++)
        {
            await (await acmePortal.GetAsync($"/api/v1/app/{acme}")).ReadObjectAsync(HttpStatusCode.OK);
        }

        await (await acmePortal.GetAsync($"/api/v1/app/{acme}")).AssertErrorAsync(HttpStatusCode.TooManyRequests, "rate_limited");

        for (var i = 0; i < 3; i++)
        {
            await (await globexPortal.GetAsync($"/api/v1/app/{globex}")).ReadObjectAsync(HttpStatusCode.OK);
        }

        for (var i = 0; i < 50; i++)
        {
            await (await _admin.GetAsync($"/api/v1/app/{acme}")).ReadObjectAsync(HttpStatusCode.OK);
        }
    }

    [Fact]
    public async Task RefusedRequest_StoresNothing()
    {
        var (appId, portal) = await PortalAsync("acme");
        for (var i = 0; i < 3; i++)
        {
            await (await portal.GetAsync($"/api/v1/app/{appId}/endpoint")).ReadObjectAsync(HttpStatusCode.OK);
        }

        var refused = await portal.PostJsonAsync($"/api/v1/app/{appId}/endpoint", """{"url":"https://example.com/hook"}""", idempotencyKey: "create-1");

        await refused.AssertErrorAsync(HttpStatusCode.TooManyRequests, "rate_limited");
        var endpoints = await (await _admin.GetAsync($"/api/v1/app/{appId}/endpoint")).ReadObjectAsync(HttpStatusCode.OK);
        Assert.Empty(endpoints["data"]!.AsArray());

        // The idempotency key was not used up by the refusal: the retry runs for real.
        _herald.Time!.Advance(TimeSpan.FromSeconds(2));
        await (await portal.PostJsonAsync($"/api/v1/app/{appId}/endpoint", """{"url":"https://example.com/hook"}""", idempotencyKey: "create-1"))
            .ReadObjectAsync(HttpStatusCode.Created);
    }

    [Fact]
    public async Task AdminToken_WithAConfiguredBudget_IsLimited()
    {
        using var herald = new HeraldApplication().WithFakeTime()
            .With("Herald:RateLimits:AdminRequestsPerSecond", "10")
            .With("Herald:RateLimits:AdminBurst", "2");
        var admin = herald.CreateAdminClient();

        await (await admin.GetAsync("/api/v1/app")).ReadObjectAsync(HttpStatusCode.OK);
        await (await admin.GetAsync("/api/v1/app")).ReadObjectAsync(HttpStatusCode.OK);
        var refused = await admin.GetAsync("/api/v1/app");

        await refused.AssertErrorAsync(HttpStatusCode.TooManyRequests, "rate_limited");
        Assert.Equal("1", refused.Headers.GetValues("Retry-After").Single()); // 0.1 s, rounded up to whole seconds
    }

    public static TheoryData<object, string> InvalidSettings() => new()
    {
        { new RateLimitOptions { ApplicationRequestsPerSecond = -1 }, "ApplicationRequestsPerSecond" },
        { new RateLimitOptions { AdminBurst = -5 }, "AdminBurst" },
        { new RateLimitOptions { FailedAuthenticationsPerMinute = 0.00001 }, "FailedAuthenticationsPerMinute" },
        { new CountLimits { EndpointsPerApplication = -1 }, "EndpointsPerApplication" },
    };

    [Theory]
    [MemberData(nameof(InvalidSettings))]
    public void InvalidSetting_IsRefused(object options, string setting)
    {
        var problems = new List<ValidationResult>();

        Assert.False(Validator.TryValidateObject(options, new ValidationContext(options), problems, validateAllProperties: true));

        Assert.Contains(setting, Assert.Single(problems).MemberNames);
    }

    [Fact]
    public void DefaultSettings_AreValid()
    {
        object[] defaults = [new RateLimitOptions(), new CountLimits()];

        Assert.All(defaults, options => Assert.True(Validator.TryValidateObject(options, new ValidationContext(options), null, validateAllProperties: true)));
    }
}
