using Herald.Server.Delivery;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Herald.Server.Tests.Delivery;

/// <summary>
/// The outcome rules as a table (as YARP tests its TransportFailureRateHealthPolicy): a delivery's attempts so far,
/// how the attempt ended and the fake clock's now in; the delivery's next state, the operator's webhook and the
/// endpoint's disabling out. Schedule 5 s, 10 s (three attempts in all), no jitter, "failing" after 2 failures.
/// </summary>
public sealed class DeliveryOutcomePolicyTests
{
    private const string App = "app_acme";
    private static readonly TimeSpan DisableAfter = TimeSpan.FromDays(5);

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero));
    private readonly DeliveryOutcomePolicy _policy;

    public DeliveryOutcomePolicyTests()
    {
        var options = Options.Create(new DeliveryOptions
        {
            RetrySchedule = [TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(10)],
            Jitter = 0,
            FailingNotificationAfter = 2,
            DisableEndpointAfter = DisableAfter,
        });
        _policy = new DeliveryOutcomePolicy(new RetrySchedule(options), options);
    }

    // app, manual, attempts before, status code (0: no answer), Retry-After s → status, next attempt in s, webhook.
    [Theory]
    [InlineData(App, false, 0, 200, null, MessageStatus.Success, null, null)]
    [InlineData(App, false, 0, 500, null, MessageStatus.Pending, 5.0, null)]
    [InlineData(App, false, 0, 0, null, MessageStatus.Pending, 5.0, null)]
    [InlineData(App, false, 1, 500, null, MessageStatus.Pending, 10.0, DeliveryOutcomePolicy.AttemptFailing)]
    [InlineData(App, false, 2, 500, null, MessageStatus.Fail, null, DeliveryOutcomePolicy.AttemptExhausted)]
    [InlineData(App, false, 0, 503, 30.0, MessageStatus.Pending, 30.0, null)]
    [InlineData(App, false, 0, 429, 0.0, MessageStatus.Pending, 1.0, null)]
    [InlineData(App, false, 2, 503, 30.0, MessageStatus.Fail, null, DeliveryOutcomePolicy.AttemptExhausted)]
    [InlineData(App, false, 0, 410, null, MessageStatus.Fail, null, DeliveryOutcomePolicy.AttemptExhausted)]
    [InlineData(App, true, 0, 500, null, MessageStatus.Fail, null, null)]
    [InlineData(App, true, 0, 410, null, MessageStatus.Fail, null, null)]
    [InlineData(App, true, 0, 200, null, MessageStatus.Success, null, null)]
    [InlineData(App, false, 1, 200, null, MessageStatus.Success, null, null)]
    [InlineData(App, false, 2, 200, null, MessageStatus.Success, null, DeliveryOutcomePolicy.AttemptRecovered)]
    [InlineData(OperationalWebhooks.ApplicationId, false, 1, 500, null, MessageStatus.Pending, 10.0, null)]
    [InlineData(OperationalWebhooks.ApplicationId, false, 2, 500, null, MessageStatus.Fail, null, null)]
    [InlineData(OperationalWebhooks.ApplicationId, false, 2, 200, null, MessageStatus.Success, null, null)]
    public void Decide_AttemptOutcome_GivesTheTabledNextState(
        string app, bool manual, int attemptsBefore, int statusCode, double? retryAfter,
        MessageStatus status, double? nextInSeconds, string? notify)
    {
        _time.Advance(TimeSpan.FromMinutes(attemptsBefore)); // Any now: the next attempt is relative to it.
        var now = _time.GetUtcNow();

        var decision = _policy.Decide(Delivery(app, manual, attemptsBefore), Outcome(statusCode, retryAfter), now);

        Assert.Equal(attemptsBefore + 1, decision.Attempts);
        Assert.Equal(status, decision.Transition.Status);
        Assert.Equal(nextInSeconds is { } s ? now + TimeSpan.FromSeconds(s) : null, decision.Transition.NextAttemptAt);
        Assert.Equal(notify, decision.Notify);
    }

    // status code, failing for (h; null: not failing) → reason, failing since = the recorded start (or now when none).
    [Theory]
    [InlineData(410, null, DeliveryOutcomePolicy.DisabledGone)]
    [InlineData(410, 1.0, DeliveryOutcomePolicy.DisabledGone)]
    [InlineData(500, 120.0, DeliveryOutcomePolicy.DisabledFailing)]
    [InlineData(0, 121.0, DeliveryOutcomePolicy.DisabledFailing)]
    [InlineData(500, 119.999, null)]
    [InlineData(500, null, null)]
    [InlineData(200, 500.0, null)]
    public void Disabling_AttemptOutcomeAndFailingTime_GivesTheTabledReason(int statusCode, double? failingForHours, string? reason)
    {
        DateTimeOffset? failingSince = failingForHours is null ? null : _time.GetUtcNow();
        _time.Advance(TimeSpan.FromHours(failingForHours ?? 0));
        var now = _time.GetUtcNow();

        var disabling = _policy.Disabling(Outcome(statusCode, null), failingSince, now);

        Assert.Equal(reason, disabling?.Reason);
        if (disabling is not null)
        {
            Assert.Equal(failingSince ?? now, disabling.FailingSince);
        }
    }

    [Fact]
    public void Disabling_FailingExactlyTheConfiguredTime_Disables()
    {
        var since = _time.GetUtcNow();
        _time.Advance(DisableAfter - TimeSpan.FromTicks(1));
        Assert.Null(_policy.Disabling(Outcome(500, null), since, _time.GetUtcNow()));

        _time.Advance(TimeSpan.FromTicks(1));

        Assert.Equal(DeliveryOutcomePolicy.DisabledFailing, _policy.Disabling(Outcome(500, null), since, _time.GetUtcNow())?.Reason);
    }

    [Fact]
    public void HandBacks_BusyAndUnexpectedFailure_AreDueAfterTheirNamedDelays()
    {
        var now = _time.GetUtcNow();

        Assert.Equal(now + TimeSpan.FromSeconds(1), DeliveryOutcomePolicy.AfterBusy(now));
        Assert.Equal(now + TimeSpan.FromSeconds(5), DeliveryOutcomePolicy.AfterUnexpectedFailure(now));
    }

    private static DeliveryTask Delivery(string app, bool manual, int attempts) =>
        new("dlv_1", app, "msg_1", "ep_1", manual, attempts);

    private static AttemptOutcome Outcome(int statusCode, double? retryAfter) =>
        new(statusCode is >= 200 and < 300, statusCode, null, TimeSpan.FromMilliseconds(20), statusCode == 0 ? "Connection refused." : null,
            retryAfter is { } s ? TimeSpan.FromSeconds(s) : null);
}
