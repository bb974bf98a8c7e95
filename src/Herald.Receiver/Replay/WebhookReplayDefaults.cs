namespace Herald.Receiver.Replay;

/// <summary>Defaults for replay protection.</summary>
public static class WebhookReplayDefaults
{
    /// <summary>
    /// How long seen ids are kept by default: three days, longer than Herald's whole retry schedule (about
    /// 28 hours) and than Svix's and Stripe's, so that every redelivery of a processed message is recognised.
    /// </summary>
    public static TimeSpan Horizon { get; } = TimeSpan.FromDays(3);
}
