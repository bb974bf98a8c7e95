using System.ComponentModel.DataAnnotations;

namespace Herald.Server.Delivery;

/// <summary>How webhooks are sent and retried. Bound from <c>Herald:Delivery</c>.</summary>
public sealed class DeliveryOptions
{
    public const string Section = "Herald:Delivery";

    /// <summary>
    /// Delays before each retry after the first, immediate attempt; when they are used up the delivery is
    /// exhausted. Default: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h (eight attempts in all).
    /// Set with <c>Herald__Delivery__RetrySchedule__0=00:00:05</c> and so on.
    /// </summary>
    public List<TimeSpan>? RetrySchedule { get; set; }

    /// <summary>Each retry delay is spread by up to ± this fraction, so retries of many deliveries do not arrive together.</summary>
    [Range(0.0, 0.5)]
    public double Jitter { get; set; } = 0.2;

    /// <summary>HTTP timeout of an attempt when the endpoint sets none (1–30 s).</summary>
    public TimeSpan DefaultTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>An endpoint that has failed without a single success for this long is disabled.</summary>
    public TimeSpan DisableEndpointAfter { get; set; } = TimeSpan.FromDays(5);

    /// <summary>Longest <c>Retry-After</c> honoured; longer answers are clamped to it.</summary>
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Networks (CIDR) Herald may connect to although they are private, loopback or link-local, e.g. <c>127.0.0.0/8</c>.</summary>
    public List<string> AllowedNetworks { get; set; } = [];

    /// <summary>Refuse plain-http endpoint URLs.</summary>
    public bool RequireHttps { get; set; }

    /// <summary>
    /// Which signature headers a webhook carries: <c>Both</c> (default: <c>webhook-id/-timestamp/-signature</c> and
    /// <c>svix-id/-timestamp/-signature</c>, same values, so receivers written for either verify), or only one set.
    /// </summary>
    public SignatureHeaders SignatureHeaders { get; set; } = SignatureHeaders.Both;

    /// <summary>Attempts in flight at once over all endpoints.</summary>
    [Range(1, 10_000)]
    public int MaxConcurrentSends { get; set; } = 256;

    /// <summary>
    /// Attempts in flight at once to one endpoint to start with, so one slow receiver cannot take every slot. The limit
    /// then adapts to the endpoint's answers: +1 per window of fast successes while it is what holds deliveries back,
    /// halved on a timeout, 5xx or 429, between 1 and <see cref="MaxConcurrentPerEndpointCeiling"/>.
    /// </summary>
    [Range(1, 1_000)]
    public int MaxConcurrentPerEndpoint { get; set; } = 16;

    /// <summary>
    /// The most attempts in flight at once to one endpoint that its adaptive limit grows to (1–1000; below
    /// <see cref="MaxConcurrentPerEndpoint"/> it counts as that, so setting both alike fixes the limit but for halving).
    /// </summary>
    [Range(1, 1_000)]
    public int MaxConcurrentPerEndpointCeiling { get; set; } = 64;

    /// <summary>How often storage is scanned for due deliveries (retries, work left by a restart). New messages do not wait for it.</summary>
    public TimeSpan ScanInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a claimed delivery is reserved for this process before another may take it.</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Graceful stop (SIGTERM): how long sends under way may take to finish and be recorded (0–60 s). The server keeps
    /// accepting messages meanwhile (stored, sent after the restart); sends still running then are cut off and handed
    /// back. The host's shutdown timeout is raised to this plus 15 s when it is shorter.
    /// </summary>
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>After this many failed attempts of one delivery, the operator is told (<c>message.attempt.failing</c>).</summary>
    [Range(1, 100)]
    public int FailingNotificationAfter { get; set; } = 4;

    /// <summary>
    /// Endpoint ownership verification every new endpoint must pass before it receives anything: <c>None</c> (each
    /// endpoint chooses with <c>verificationMethod</c>), <c>Handshake</c> or <c>Ping</c>. An endpoint that asks for none
    /// while this is set is refused (422).
    /// </summary>
    public Endpoints.VerificationMethod RequireEndpointVerification { get; set; }

    /// <summary>The name sent as <c>WebHook-Request-Origin</c> in the handshake; receivers answer it (or <c>*</c>) in <c>WebHook-Allowed-Origin</c>.</summary>
    [Required]
    public string VerificationOrigin { get; set; } = "herald";

    /// <summary>How long after a failed check of a pending endpoint the next one is made.</summary>
    public TimeSpan VerificationRetryInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How long an endpoint may stay unverified: then its held deliveries fail, it is disabled and the operator is told
    /// (<c>endpoint.verification.failed</c>).
    /// </summary>
    public TimeSpan VerificationGiveUpAfter { get; set; } = TimeSpan.FromDays(1);

    public static readonly IReadOnlyList<TimeSpan> DefaultRetrySchedule =
    [
        TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(30), TimeSpan.FromHours(2),
        TimeSpan.FromHours(5), TimeSpan.FromHours(10), TimeSpan.FromHours(10),
    ];
}

/// <summary>The header sets a webhook's id, timestamp and signature are sent under.</summary>
public enum SignatureHeaders
{
    /// <summary><c>webhook-*</c> and <c>svix-*</c>, with the same values.</summary>
    Both = 0,

    /// <summary>Only the Standard Webhooks names: <c>webhook-id</c>, <c>webhook-timestamp</c>, <c>webhook-signature</c>.</summary>
    StandardWebhooks = 1,

    /// <summary>Only Svix's names: <c>svix-id</c>, <c>svix-timestamp</c>, <c>svix-signature</c>.</summary>
    Svix = 2,
}
