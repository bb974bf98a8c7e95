namespace Herald.Server.Endpoints;

/// <summary>
/// Body of create, upsert and patch (the Svix SDK's EndpointIn / EndpointUpdate / EndpointPatch). The 1.x SDKs send
/// `filterTypes`, `rateLimit` and `version`; the first two are folded into their 2.x names (a different value under
/// both names is a 422).
/// </summary>
public sealed record EndpointIn
{
    /// <summary>Where webhooks are POSTed: http or https, at most 2048 characters; required on create and upsert.</summary>
    public string? Url { get; init; }
    /// <summary>Free text, at most 4096 characters.</summary>
    public string? Description { get; init; }
    /// <summary>At most this many webhooks per second to this endpoint; null: no limit. `rateLimit` is its Svix 1.x name; sending both with different values is a 422.</summary>
    public int? ThrottleRate { get; init; }
    /// <summary>Optional unique id within the application (letters, digits, `-`, `_`, `.`; at most 256), usable in place of the id.</summary>
    public string? Uid { get; init; }
    /// <summary>True stops deliveries to this endpoint.</summary>
    public bool? Disabled { get; init; }
    /// <summary>Event types it receives; null or absent: all. `filterTypes` is its Svix 1.x name; sending both with different values is a 422.</summary>
    public IReadOnlyList<string>? EventTypes { get; init; }
    /// <summary>Channels it receives (at most 10); null: all.</summary>
    public IReadOnlyList<string>? Channels { get; init; }
    /// <summary>Signing secret `whsec_` + base64 of 24–75 bytes; generated when not given.</summary>
    public string? Secret { get; init; }
    /// <summary>Free string key–value pairs (at most 64).</summary>
    public Dictionary<string, string>? Metadata { get; init; }
    /// <summary>Custom HTTP headers sent with every webhook (at most 20).</summary>
    public Dictionary<string, string>? Headers { get; init; }

    /// <summary>Herald's addition: HTTP timeout of attempts to this endpoint, 1–30 s (default 15 s).</summary>
    public int? TimeoutSeconds { get; init; }

    /// <summary>Herald's addition: true makes it a FIFO endpoint, which gets its messages strictly in sequence order, one at a time.</summary>
    public bool? Fifo { get; init; }

    /// <summary>Herald's addition, for FIFO endpoints: when a message exhausts its retries, `stop` (default) the line until an operator acts, or `skip` it.</summary>
    public string? FifoOnExhaustion { get; init; }

    /// <summary>Svix 1.x name of `eventTypes`.</summary>
    public IReadOnlyList<string>? FilterTypes { get; init; }

    /// <summary>Svix 1.x name of `throttleRate` (deprecated there).</summary>
    public int? RateLimit { get; init; }

    /// <summary>Svix 1.x's deprecated endpoint version: at least 1, 1 when not sent; stored and returned, nothing else.</summary>
    public int? Version { get; init; }

    /// <summary>
    /// Herald's addition: prove the receiver wants this traffic before sending it — `handshake` (CloudEvents webhook
    /// abuse protection), `ping` (a signed challenge) or `none`. Absent: the server's Herald:Delivery:RequireEndpointVerification.
    /// Deliveries wait until the endpoint is verified (docs/DELIVERY.md).
    /// </summary>
    public string? VerificationMethod { get; init; }
}

/// <summary>An endpoint: a URL that receives an application's webhooks.</summary>
public sealed record EndpointOut
{
    /// <summary>The endpoint's id (`ep_…`).</summary>
    public required string Id { get; init; }
    /// <summary>The endpoint's optional unique id, usable in place of its id.</summary>
    public string? Uid { get; init; }
    /// <summary>Where webhooks are POSTed.</summary>
    public required string Url { get; init; }
    /// <summary>Free text; empty when none was given.</summary>
    public required string Description { get; init; }
    /// <summary>At most this many webhooks per second to this endpoint; null: no limit.</summary>
    public int? ThrottleRate { get; init; }
    /// <summary>True when the endpoint receives nothing.</summary>
    public required bool Disabled { get; init; }
    /// <summary>Event types the endpoint receives; null: all.</summary>
    public IReadOnlyList<string>? EventTypes { get; init; }
    /// <summary>Channels the endpoint receives; null: all.</summary>
    public IReadOnlyList<string>? Channels { get; init; }
    /// <summary>Free string key–value pairs.</summary>
    public required IReadOnlyDictionary<string, string> Metadata { get; init; }
    /// <summary>HTTP timeout of attempts in seconds; null: the server default (15 s).</summary>
    public int? TimeoutSeconds { get; init; }
    /// <summary>True for a FIFO endpoint: messages strictly in sequence order, one at a time.</summary>
    public bool Fifo { get; init; }
    /// <summary>For a FIFO endpoint: `stop` or `skip` when a message exhausts its retries; null otherwise.</summary>
    public string? FifoOnExhaustion { get; init; }
    /// <summary>For a FIFO endpoint: since when its line is stopped on an exhausted message; null while it runs.</summary>
    public DateTimeOffset? FifoStoppedAt { get; init; }
    /// <summary>When it was created.</summary>
    public required DateTimeOffset CreatedAt { get; init; }
    /// <summary>When it was last changed.</summary>
    public required DateTimeOffset UpdatedAt { get; init; }

    // The 1.x SDKs read these names (EndpointOut.version is required there); the 2.x ones read the ones above.
    /// <summary>Svix 1.x name of `eventTypes` (same value).</summary>
    public IReadOnlyList<string>? FilterTypes => EventTypes;
    /// <summary>Svix 1.x name of `throttleRate` (same value).</summary>
    public int? RateLimit => ThrottleRate;
    /// <summary>Svix 1.x's deprecated endpoint version, as sent (1 when not sent).</summary>
    public required int Version { get; init; }

    /// <summary>
    /// Only in the answer to a create or update, and only when the URL's host resolves to an address this server
    /// refuses to connect to (loopback, private, …): why its deliveries will fail. Also sent as the `Herald-Warning` header.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public string? Warning { get; init; }

    /// <summary>Herald's addition: the endpoint's ownership verification; absent when it has none.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public EndpointVerificationOut? Verification { get; init; }

    public static EndpointOut From(HeraldEndpoint e) => new()
    {
        Version = e.Version,
        TimeoutSeconds = e.Timeout is { } t ? (int)t.TotalSeconds : null,
        Id = e.Id,
        Uid = e.Uid,
        Url = e.Url,
        Description = e.Description,
        ThrottleRate = e.ThrottleRate,
        Disabled = e.Disabled,
        EventTypes = e.EventTypes,
        Channels = e.Channels,
        Metadata = e.Metadata,
        CreatedAt = e.CreatedAt,
        UpdatedAt = e.UpdatedAt,
        Fifo = e.Fifo is not null,
        FifoOnExhaustion = EndpointFifoFields.Name(e.Fifo),
        FifoStoppedAt = e.Fifo?.StoppedAt,
        Verification = EndpointVerificationOut.From(e.Verification),
    };
}

/// <summary>The endpoint's signing secret.</summary>
/// <param name="Key">The current secret: `whsec_` + base64.</param>
public sealed record EndpointSecretOut(string Key);

/// <summary>Body of secret rotation.</summary>
public sealed record EndpointSecretRotateIn
{
    /// <summary>The new secret (`whsec_` + base64 of 24–75 bytes); generated when not given.</summary>
    public string? Key { get; init; }
    /// <summary>How long the previous secret still signs too, 0–604800 s (default 86400).</summary>
    public long? GracePeriodSeconds { get; init; }
}

/// <summary>Body of the custom-header routes.</summary>
public sealed record EndpointHeadersIn
{
    /// <summary>Header names and values to set (at most 20 on the endpoint in all).</summary>
    public Dictionary<string, string>? Headers { get; init; }
    /// <summary>PATCH only: names of headers to remove.</summary>
    public IReadOnlyList<string>? DeleteHeaders { get; init; }
}

/// <summary>The endpoint's custom headers.</summary>
/// <param name="Headers">Header names and values; sensitive ones (such as Authorization) are left out.</param>
/// <param name="Sensitive">Names of the headers whose values are withheld.</param>
public sealed record EndpointHeadersOut(IReadOnlyDictionary<string, string> Headers, IReadOnlyList<string> Sensitive);
