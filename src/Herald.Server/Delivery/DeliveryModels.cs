using Herald.Server.Endpoints;
using Herald.Server.Messages;

namespace Herald.Server.Delivery;

/// <summary>Svix's MessageStatus: the state of a delivery, and of an attempt (success or fail).</summary>
public enum MessageStatus
{
    Success = 0,
    Pending = 1,
    Fail = 2,
    Sending = 3,
    Canceled = 4,
}

public enum AttemptTrigger
{
    Scheduled = 0,
    Manual = 1,
}

/// <summary>The pair (message, endpoint) to be delivered. <see cref="Manual"/> deliveries (resend, recover) get one try only.</summary>
public sealed record DeliveryTask(string Id, string ApplicationId, string MessageId, string EndpointId, bool Manual, int Attempts)
{
    /// <summary>
    /// What the publish that created this delivery already had in hand, so that its first attempt reads none of it
    /// again (null for a delivery claimed from storage: a retry, a scheduled message, work left by a restart).
    /// </summary>
    public DeliveryHandOff? HandOff { get; init; }
}

/// <summary>
/// A new delivery's message as its publish committed it, and (where the publish read it: PostgreSQL's group commit) its
/// endpoint with the endpoint's secrets. Used only by an attempt that starts right after the publish: a delivery that
/// waits for its turn drops it (DeliveryHolds), so nothing sends from a snapshot older than the publish's moment.
/// </summary>
public sealed record DeliveryHandOff(Message Message, SendingEndpoint? Endpoint);

/// <summary>An endpoint as the send path uses it: with every secret opened, newest first, each with its expiry.</summary>
public sealed record SendingEndpoint(HeraldEndpoint Endpoint, IReadOnlyList<(string Key, DateTimeOffset? ExpiresAt)> Secrets)
{
    /// <summary>The secrets a send signs with at <paramref name="now"/>: those not expired, newest first.</summary>
    public IReadOnlyList<string> LiveSecrets(DateTimeOffset now) =>
        [.. Secrets.Where(s => s.ExpiresAt is not { } at || at > now).Select(s => s.Key)];
}

/// <summary>Who holds a claimed delivery and until when; an expired lease may be taken by anyone.</summary>
public sealed record DeliveryLease(string Owner, DateTimeOffset Until)
{
    /// <summary>
    /// For a publish: whether the node takes the new delivery of an endpoint now (null: every one). A delivery it does not
    /// take is stored due and unleased, for the storage scan to claim when the endpoint has room (ClaimRoom).
    /// </summary>
    public Func<string, bool>? Takes { get; init; }

    /// <summary>Whether this lease takes a new delivery of the endpoint (<see cref="Takes"/>).</summary>
    public bool TakesEndpoint(string endpointId) => Takes?.Invoke(endpointId) ?? true;
}

/// <summary>Everything needed to send one attempt, read in one go.</summary>
public sealed record DeliveryWork(DeliveryTask Delivery, Message Message, HeraldEndpoint Endpoint, IReadOnlyList<string> Secrets);

/// <summary>One HTTP try of a delivery, as recorded.</summary>
public sealed record AttemptRecord
{
    public required string Id { get; init; }
    public required string ApplicationId { get; init; }
    public required string DeliveryId { get; init; }
    public required string MessageId { get; init; }
    public required string EndpointId { get; init; }
    public required string Url { get; init; }
    public required MessageStatus Status { get; init; }
    public required AttemptTrigger Trigger { get; init; }
    public required int ResponseStatusCode { get; init; }
    public string? Response { get; init; }
    public required long ResponseDurationMs { get; init; }
    public string? Error { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
}

/// <summary>What becomes of the delivery after an attempt: done (success / fail) or pending until <see cref="NextAttemptAt"/>.</summary>
public sealed record DeliveryTransition(MessageStatus Status, DateTimeOffset? NextAttemptAt);

/// <summary>
/// A message published: stored, and the deliveries it fanned out to that the publishing node took (already leased to
/// it); those it did not take (<see cref="DeliveryLease.Takes"/>, or a scheduled message's) wait in storage for a scan.
/// </summary>
public sealed record PublishedMessage(Message Message, IReadOnlyList<DeliveryTask> Deliveries);
