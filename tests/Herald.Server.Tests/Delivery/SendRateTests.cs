using Herald.Server.Delivery;

namespace Herald.Server.Tests.Delivery;

/// <summary>The token bucket a send rate becomes: throttleRate per second, or a receiver's grant per minute spread out.</summary>
public sealed class SendRateTests
{
    public static TheoryData<int, double, int, int, double> Rates => new()
    {
        // tokens, period (s) → bucket size, tokens per refill, refill (s)
        { 5, 1, 5, 5, 1 },         // throttleRate 5: the whole second's budget at once, as before
        { 60, 60, 1, 1, 1 },       // a grant of 60 a minute: one a second, no burst
        { 600, 60, 10, 1, 0.1 },   // 600 a minute: one every 100 ms, a burst of a second's worth
        { 30, 60, 1, 1, 2 },       // 30 a minute: one every 2 s
        { 60_000, 60, 1000, 10, 0.01 }, // 1,000 a second: refills no more often than every 10 ms
        { 7_000, 60, 116, 2, 120.0 / 7_000 }, // 116.7 a second: two every 17.1 ms, the rate exactly
    };

    [Theory]
    [MemberData(nameof(Rates))]
    public void BucketOptions_ForARate_RefillsNoFasterThanTheRate(int tokens, double periodSeconds, int limit, int perRefill, double refillSeconds)
    {
        var rate = new SendRate(tokens, TimeSpan.FromSeconds(periodSeconds));
        var options = rate.BucketOptions();
        Assert.Equal(limit, options.TokenLimit);
        Assert.Equal(perRefill, options.TokensPerPeriod);
        Assert.Equal(refillSeconds, options.ReplenishmentPeriod.TotalSeconds, 6);
        Assert.True(options.TokensPerPeriod / options.ReplenishmentPeriod.TotalSeconds <= rate.PerSecond + 1e-9, "the long-run rate exceeds the grant");
    }
}
