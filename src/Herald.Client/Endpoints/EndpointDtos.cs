using System.Text.Json.Serialization;
using Herald.Client.Http;

namespace Herald.Client;

/// <summary>A webhook endpoint to create or replace: a URL that receives the application's messages, signed.</summary>
public sealed record EndpointIn
{
    /// <summary>The http(s) URL messages are POSTed to (required).</summary>
    public required string Url { get; init; }

    /// <summary>What the endpoint is for.</summary>
    public string? Description { get; init; }

    /// <summary>Maximum deliveries per second.</summary>
    public int? ThrottleRate { get; init; }

    /// <summary>Your own id for the endpoint.</summary>
    public string? Uid { get; init; }

    /// <summary>A disabled endpoint receives nothing.</summary>
    public bool? Disabled { get; init; }

    /// <summary>Only messages of these event types (all when null).</summary>
    public IReadOnlyList<string>? EventTypes { get; init; }

    /// <summary>Only messages on one of these channels (all when null).</summary>
    public IReadOnlyList<string>? Channels { get; init; }

    /// <summary>The signing secret (<c>whsec_</c> + base64); generated when null. Only used on creation.</summary>
    public string? Secret { get; init; }

    /// <summary>Free-form string pairs.</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }

    /// <summary>Custom headers sent with each delivery.</summary>
    public IReadOnlyDictionary<string, string>? Headers { get; init; }

    /// <summary>HTTP timeout of each delivery attempt, 1–30 s (server default 15 s). Herald's addition to the Svix API.</summary>
    [JsonPropertyName("timeoutSeconds")]
    [JsonConverter(typeof(WholeSecondsConverter))]
    public TimeSpan? Timeout { get; init; }

    /// <summary>True makes it a FIFO endpoint: its messages strictly in sequence order, one at a time (docs/DELIVERY.md, "FIFO endpoints").</summary>
    public bool? Fifo { get; init; }

    /// <summary>For FIFO endpoints, what a message that exhausts its retries does: <see cref="FifoExhaustion.Stop"/> (the default) or <see cref="FifoExhaustion.Skip"/>.</summary>
    public string? FifoOnExhaustion { get; init; }

    /// <summary>
    /// Prove the receiver wants the traffic before sending it: <see cref="EndpointVerificationMethod.Handshake"/>,
    /// <see cref="EndpointVerificationMethod.Ping"/> or <see cref="EndpointVerificationMethod.None"/>; null: the server's default.
    /// </summary>
    public string? VerificationMethod { get; init; }
}

/// <summary>Fields of an endpoint to change; those left null stay as they are. Empty lists clear the filters.</summary>
public sealed record EndpointPatch
{
    /// <summary>New URL.</summary>
    public string? Url { get; init; }

    /// <summary>New description.</summary>
    public string? Description { get; init; }

    /// <summary>New throttle rate.</summary>
    public int? ThrottleRate { get; init; }

    /// <summary>New uid.</summary>
    public string? Uid { get; init; }

    /// <summary>Disable (true) or enable (false).</summary>
    public bool? Disabled { get; init; }

    /// <summary>New event type filter; empty receives all.</summary>
    public IReadOnlyList<string>? EventTypes { get; init; }

    /// <summary>New channel filter; empty receives all.</summary>
    public IReadOnlyList<string>? Channels { get; init; }

    /// <summary>New metadata (replaces all of it).</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }

    /// <summary>New custom headers (replaces all of them).</summary>
    public IReadOnlyDictionary<string, string>? Headers { get; init; }

    /// <summary>New delivery timeout, 1–30 s.</summary>
    [JsonPropertyName("timeoutSeconds")]
    [JsonConverter(typeof(WholeSecondsConverter))]
    public TimeSpan? Timeout { get; init; }

    /// <summary>True makes it a FIFO endpoint: its messages strictly in sequence order, one at a time (docs/DELIVERY.md, "FIFO endpoints").</summary>
    public bool? Fifo { get; init; }

    /// <summary>For FIFO endpoints, what a message that exhausts its retries does: <see cref="FifoExhaustion.Stop"/> (the default) or <see cref="FifoExhaustion.Skip"/>.</summary>
    public string? FifoOnExhaustion { get; init; }

    /// <summary>
    /// Prove the receiver wants the traffic before sending it: <see cref="EndpointVerificationMethod.Handshake"/>,
    /// <see cref="EndpointVerificationMethod.Ping"/> or <see cref="EndpointVerificationMethod.None"/>; null: the server's default.
    /// </summary>
    public string? VerificationMethod { get; init; }
}

/// <summary>A webhook endpoint as the server has it.</summary>
public sealed record EndpointOut
{
    /// <summary>Herald's id (<c>ep_…</c>).</summary>
    public required string Id { get; init; }

    /// <summary>Your id, if you gave one.</summary>
    public string? Uid { get; init; }

    /// <summary>The URL messages are POSTed to.</summary>
    public required string Url { get; init; }

    /// <summary>What the endpoint is for.</summary>
    public string Description { get; init; } = "";

    /// <summary>Maximum deliveries per second, if limited.</summary>
    public int? ThrottleRate { get; init; }

    /// <summary>Whether it is disabled.</summary>
    public bool Disabled { get; init; }

    /// <summary>Event type filter (null: all).</summary>
    public IReadOnlyList<string>? EventTypes { get; init; }

    /// <summary>Channel filter (null: all).</summary>
    public IReadOnlyList<string>? Channels { get; init; }

    /// <summary>Free-form string pairs.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();

    /// <summary>HTTP timeout of each attempt, when set.</summary>
    [JsonPropertyName("timeoutSeconds")]
    [JsonConverter(typeof(WholeSecondsConverter))]
    public TimeSpan? Timeout { get; init; }

    /// <summary>When it was created (UTC).</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>When it last changed (UTC).</summary>
    public required DateTimeOffset UpdatedAt { get; init; }

    /// <summary>
    /// Only on the answer to a create or update: why deliveries to its URL will fail (its host resolves to an address
    /// the server refuses, e.g. loopback outside dev mode); null when there is nothing to say.
    /// </summary>
    public string? Warning { get; init; }

    /// <summary>True for a FIFO endpoint (messages strictly in sequence order).</summary>
    public bool Fifo { get; init; }

    /// <summary>For FIFO endpoints: <c>stop</c> or <c>skip</c> on an exhausted message; null otherwise.</summary>
    public string? FifoOnExhaustion { get; init; }

    /// <summary>When the FIFO line stopped on an exhausted message; null while it runs. <see cref="EndpointsApi.ResumeFifoAsync"/> resumes it.</summary>
    public DateTimeOffset? FifoStoppedAt { get; init; }

    /// <summary>Its ownership verification; null when it has none (deliveries start at once).</summary>
    public EndpointVerificationOut? Verification { get; init; }
}

/// <summary>An endpoint's signing secret.</summary>
/// <param name="Key">The secret, <c>whsec_</c> + base64; verify deliveries with it (e.g. with Herald.Receiver).</param>
public sealed record EndpointSecretOut(string Key);

/// <summary>How to rotate an endpoint's secret.</summary>
public sealed record EndpointSecretRotateIn
{
    /// <summary>The new secret; generated when null.</summary>
    public string? Key { get; init; }

    /// <summary>How long the previous secret stays valid too (server default 24 h, at most 7 days).</summary>
    [JsonPropertyName("gracePeriodSeconds")]
    [JsonConverter(typeof(WholeSecondsConverter))]
    public TimeSpan? GracePeriod { get; init; }
}

/// <summary>Custom headers to set on an endpoint.</summary>
public sealed record EndpointHeadersIn
{
    /// <summary>The headers (name to value).</summary>
    public required IReadOnlyDictionary<string, string> Headers { get; init; }
}

/// <summary>Custom headers to add or change, and others to remove.</summary>
public sealed record EndpointHeadersPatch
{
    /// <summary>Headers to set.</summary>
    public IReadOnlyDictionary<string, string>? Headers { get; init; }

    /// <summary>Names of headers to remove.</summary>
    public IReadOnlyList<string>? DeleteHeaders { get; init; }
}

/// <summary>An endpoint's custom headers; values of credential-like headers are never sent back.</summary>
/// <param name="Headers">Headers whose values may be shown.</param>
/// <param name="Sensitive">Names of headers whose values are withheld (authorization, tokens, secrets …).</param>
public sealed record EndpointHeadersOut(IReadOnlyDictionary<string, string> Headers, IReadOnlyList<string> Sensitive);

/// <summary>How many messages of an endpoint are in each state.</summary>
/// <param name="Success">Delivered.</param>
/// <param name="Pending">Waiting for an attempt.</param>
/// <param name="Sending">Being attempted now.</param>
/// <param name="Fail">Failed for good.</param>
/// <param name="Canceled">Canceled.</param>
public sealed record EndpointStats(long Success, long Pending, long Sending, long Fail, long Canceled);

/// <summary>Which failed messages to send again to an endpoint.</summary>
public sealed record RecoverIn
{
    /// <summary>Failed since this time (required).</summary>
    public required DateTimeOffset Since { get; init; }

    /// <summary>Failed before this time (default: now).</summary>
    public DateTimeOffset? Until { get; init; }
}

/// <summary>The recovery task; Herald queues the resends before answering, so it is finished when returned.</summary>
/// <param name="Id">Task id (<c>qtask_…</c>).</param>
/// <param name="Status">Task status (<c>finished</c>).</param>
/// <param name="Task">Task kind (<c>endpoint.recover</c>).</param>
/// <param name="UpdatedAt">When the task last changed.</param>
public sealed record RecoverOut(string Id, string Status, string Task, DateTimeOffset UpdatedAt);

/// <summary>Which example to send to an endpoint.</summary>
public sealed record EventExampleIn
{
    /// <summary>The event type; its newest schema's examples are used, else a small placeholder payload.</summary>
    public required string EventType { get; init; }

    /// <summary>Which of the schema's examples (default 0).</summary>
    public int? ExampleIndex { get; init; }
}

/// <summary>Filters of an endpoint's statistics.</summary>
public sealed record EndpointStatsOptions
{
    /// <summary>Count messages since this time.</summary>
    public DateTimeOffset? Since { get; init; }

    /// <summary>Count messages until this time.</summary>
    public DateTimeOffset? Until { get; init; }
}

/// <summary>Values of <see cref="EndpointIn.FifoOnExhaustion"/>.</summary>
public static class FifoExhaustion
{
    /// <summary>Stop the line until an operator resends, recovers or resumes (the default).</summary>
    public const string Stop = "stop";

    /// <summary>Skip the exhausted message and go on with the next.</summary>
    public const string Skip = "skip";
}

/// <summary>Values of <see cref="EndpointIn.VerificationMethod"/>.</summary>
public static class EndpointVerificationMethod
{
    /// <summary>The CloudEvents webhook abuse-protection handshake (<c>OPTIONS</c> with <c>WebHook-Request-Origin</c>).</summary>
    public const string Handshake = "handshake";

    /// <summary>A signed verification ping whose challenge the receiver echoes.</summary>
    public const string Ping = "ping";

    /// <summary>No verification.</summary>
    public const string None = "none";
}

/// <summary>An endpoint's ownership verification: deliveries wait while it is <c>pending</c>.</summary>
public sealed record EndpointVerificationOut
{
    /// <summary><c>pending</c>, <c>verified</c> or <c>failed</c>.</summary>
    public required string Status { get; init; }

    /// <summary><c>handshake</c> or <c>ping</c>.</summary>
    public required string Method { get; init; }

    /// <summary>When this round began (UTC).</summary>
    public DateTimeOffset StartedAt { get; init; }

    /// <summary>When the receiver proved it wants the traffic; null until then.</summary>
    public DateTimeOffset? VerifiedAt { get; init; }

    /// <summary>Why the last check failed; null when none did.</summary>
    public string? LastError { get; init; }

    /// <summary>True when the receiver is to call the callback URL it was given.</summary>
    public bool AwaitingCallback { get; init; }

    /// <summary>The receiver's <c>WebHook-Allowed-Rate</c> (requests per minute), when it sent one.</summary>
    public int? AllowedRate { get; init; }
}
