using Herald.Client.Http;

namespace Herald.Client;

/// <summary>
/// The Herald REST API (<c>/api/v1</c>, Svix-compatible), one property per resource. Thread-safe; make one per
/// server and token and keep it.
/// </summary>
/// <example>
/// <code>
/// using var herald = new HeraldClient(new HeraldClientOptions { ServerUrl = new Uri("http://localhost:8071"), Token = token });
/// var app = await herald.Applications.CreateAsync(new ApplicationIn { Name = "Shop", Uid = "shop" });
/// </code>
/// </example>
public sealed class HeraldClient : IDisposable
{
    private readonly HttpClient? _ownedHttpClient;

    /// <summary>A client with its own <see cref="HttpClient"/> (disposed with this client).</summary>
    /// <param name="options">Server URL (required here) and token.</param>
    public HeraldClient(HeraldClientOptions options)
        : this(CreateHttpClient(options), options)
    {
        _ownedHttpClient = Http.Client;
    }

    /// <summary>
    /// A client on an <see cref="HttpClient"/> you manage (from <c>IHttpClientFactory</c>, or a test server's). The
    /// server URL is <see cref="HeraldClientOptions.ServerUrl"/>, else the client's <see cref="HttpClient.BaseAddress"/>.
    /// </summary>
    /// <param name="httpClient">The HTTP client to send with; not disposed by this client.</param>
    /// <param name="options">Server URL and token.</param>
    public HeraldClient(HttpClient httpClient, HeraldClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        Http = new HeraldHttp(httpClient, options ?? new HeraldClientOptions());
        Applications = new ApplicationsApi(Http);
        EventTypes = new EventTypesApi(Http);
        Endpoints = new EndpointsApi(Http);
        Messages = new MessagesApi(Http);
        Attempts = new AttemptsApi(Http);
        OperationalWebhookEndpoints = new OperationalWebhookEndpointsApi(Http);
        Authentication = new AuthenticationApi(Http);
        PollingEndpoints = new PollingEndpointsApi(Http);
        Poller = new PollerApi(Http);
        Health = new HealthApi(Http);
    }

    internal HeraldHttp Http { get; }

    /// <summary>Applications (<c>/app</c>): the tenants messages are published to.</summary>
    public ApplicationsApi Applications { get; }

    /// <summary>Event types (<c>/event-type</c>).</summary>
    public EventTypesApi EventTypes { get; }

    /// <summary>Webhook endpoints of an application (<c>/app/{app}/endpoint</c>), their secrets, headers, stats and recovery.</summary>
    public EndpointsApi Endpoints { get; }

    /// <summary>Messages of an application (<c>/app/{app}/msg</c>): publish, list, get, expunge.</summary>
    public MessagesApi Messages { get; }

    /// <summary>Delivery attempts and delivery states; resend.</summary>
    public AttemptsApi Attempts { get; }

    /// <summary>The operator's endpoints for webhooks about Herald itself (<c>/operational-webhook/endpoint</c>, admin).</summary>
    public OperationalWebhookEndpointsApi OperationalWebhookEndpoints { get; }

    /// <summary>Application tokens and app-portal links (<c>/auth</c>).</summary>
    public AuthenticationApi Authentication { get; }

    /// <summary>Polling endpoints of an application (<c>/app/{app}/destination</c> of type <c>pollingEndpoint</c>).</summary>
    public PollingEndpointsApi PollingEndpoints { get; }

    /// <summary>Reading polling endpoints: polls, long-polls, consumer cursors and the Server-Sent-Events stream.</summary>
    public PollerApi Poller { get; }

    /// <summary>Whether the server is up (<c>/api/v1/health</c>).</summary>
    public HealthApi Health { get; }

    /// <summary>Disposes the <see cref="HttpClient"/> this client made; one given to it is left alone.</summary>
    public void Dispose() => _ownedHttpClient?.Dispose();

    private static HttpClient CreateHttpClient(HeraldClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.ServerUrl is null)
        {
            throw new ArgumentException("Set HeraldClientOptions.ServerUrl, e.g. http://localhost:8071.", nameof(options));
        }

        return new HttpClient { Timeout = options.Timeout };
    }
}
