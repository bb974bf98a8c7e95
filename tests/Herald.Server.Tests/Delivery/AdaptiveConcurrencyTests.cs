using Herald.Server.Delivery;
using Microsoft.Extensions.Time.Testing;

namespace Herald.Server.Tests.Delivery;

/// <summary>The adaptive per-endpoint concurrency limit (AIMD) on its own, step by step against a fake clock.</summary>
public sealed class AdaptiveConcurrencyTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);
    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-11-30T08:00:00Z", System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>
    /// Steps as "signal/limit after it": F a fast success while the limit held deliveries back, f one while it did not,
    /// O a 5xx or 429, T a timeout, N anything else; ~ before the signal: the send started before the last halving.
    /// </summary>
    public static TheoryData<string, int, string> Sequences => new()
    {
        { "a window of fast successes while saturated adds one", 4, "F/4 F/4 F/4 F/5 F/5 F/5 F/5 F/5 F/6" },
        { "fast successes while the limit holds nothing back do not grow it", 2, "f/2 f/2 f/2 f/2 f/2" },
        { "a 5xx or 429 halves it, down to the floor", 16, "O/8 O/4 O/2 O/1 O/1" },
        { "failures of sends started before the last halving do not halve it again", 16, "O/8 ~O/8 ~O/8 O/4" },
        { "a timeout at the start value leaves it there", 16, "T/16 T/16" },
        { "neutral outcomes change nothing", 3, "N/3 N/3 N/3 N/3" },
        { "a halving restarts the window of successes", 4, "F/4 F/4 F/4 O/2 F/2 F/3" },
        { "growth, then timeouts halve back to the start but not below", 2, "F/2 F/3 F/3 F/3 F/4 F/4 F/4 F/4 F/5 T/2 T/2" },
    };

    [Theory]
    [MemberData(nameof(Sequences))]
    public void Limit_AfterEachOutcome_FollowsAimd(string because, int initial, string steps)
    {
        var policy = new AdaptiveConcurrency(initial, floor: 1, ceiling: 64);
        var lastReduction = DateTimeOffset.MinValue;
        foreach (var step in steps.Split(' '))
        {
            var (signal, expected) = (step.Split('/')[0], int.Parse(step.Split('/')[1], System.Globalization.CultureInfo.InvariantCulture));
            _time.Advance(TimeSpan.FromMilliseconds(100));
            var startedAt = signal.StartsWith('~') ? lastReduction - TimeSpan.FromMilliseconds(50) : _time.GetUtcNow() - TimeSpan.FromMilliseconds(50);
            var before = policy.Limit;
            policy.Observe(Signal(signal.TrimStart('~')), startedAt, _time.GetUtcNow(), saturated: signal != "f");
            if (policy.Limit < before)
            {
                lastReduction = _time.GetUtcNow();
            }

            Assert.True(expected == policy.Limit, $"{because}: after {step} the limit is {policy.Limit}");
        }
    }

    private static AttemptSignal Signal(string code) => code switch
    {
        "F" or "f" => AttemptSignal.Fast,
        "O" => AttemptSignal.Overloaded,
        "T" => AttemptSignal.TimedOut,
        _ => AttemptSignal.Neutral,
    };

    [Fact]
    public void Limit_GrowingPastTheCeiling_StaysAtTheCeiling()
    {
        var policy = new AdaptiveConcurrency(initial: 2, floor: 1, ceiling: 3);
        for (var i = 0; i < 50; i++)
        {
            policy.Observe(AttemptSignal.Fast, _time.GetUtcNow(), Later(), saturated: true);
        }

        Assert.Equal(3, policy.Limit);
    }

    [Theory]
    [InlineData(204, 0.05, "Fast")]
    [InlineData(200, 5, "Neutral")] // A success slower than a quarter of the timeout.
    [InlineData(503, 0.01, "Overloaded")]
    [InlineData(500, 0.01, "Overloaded")]
    [InlineData(429, 0.01, "Overloaded")]
    [InlineData(0, 15, "TimedOut")]
    [InlineData(0, 0.01, "Neutral")] // Connection refused: says nothing about how many sends at once it takes.
    [InlineData(404, 0.01, "Neutral")]
    [InlineData(301, 0.01, "Neutral")]
    public void Classify_AnAttemptOutcome_SaysWhatItTellsAboutCapacity(int status, double seconds, string expected)
    {
        var outcome = new AttemptOutcome(status is >= 200 and < 300, status, null, TimeSpan.FromSeconds(seconds), status == 0 ? "no answer" : null, null);

        Assert.Equal(Enum.Parse<AttemptSignal>(expected), AdaptiveConcurrency.Classify(outcome, Timeout));
    }

    [Theory]
    [InlineData("T", true)]
    [InlineData("T ~T", true)] // A timeout of a send started before the halving still says the endpoint does not answer.
    [InlineData("T F", false)]
    [InlineData("T O", false)]
    [InlineData("T N", false)] // Any outcome but a timeout: it answered, or refused at once.
    [InlineData("F", false)]
    public void TimingOut_AfterOutcomes_IsTrueOnlyWhenTheLatestTimedOut(string outcomes, bool expected)
    {
        var policy = new AdaptiveConcurrency(4, floor: 1, ceiling: 64);
        foreach (var outcome in outcomes.Split(' '))
        {
            var startedAt = outcome.StartsWith('~') ? DateTimeOffset.MinValue : _time.GetUtcNow();
            policy.Observe(Signal(outcome.TrimStart('~')), startedAt, Later(), saturated: true);
        }

        Assert.Equal(expected, policy.TimingOut);
    }

    [Theory]
    [InlineData(15, 0, 0)]
    [InlineData(15, 0.5, 750)]
    [InlineData(15, 1, 1500)]
    [InlineData(30, 1, 3000)]
    [InlineData(1, 1, 100)]
    [InlineData(15, 7, 1500)] // Out of range: held to a tenth of the timeout.
    public void StartSpread_ATimingOutEndpoint_WaitsAShareOfATenthOfTheTimeout(int timeoutSeconds, double random, int expectedMs)
    {
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), AdaptiveConcurrency.StartSpread(TimeSpan.FromSeconds(timeoutSeconds), random));
    }

    private DateTimeOffset Later()
    {
        _time.Advance(TimeSpan.FromMilliseconds(10));
        return _time.GetUtcNow();
    }
}
