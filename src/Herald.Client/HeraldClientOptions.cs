namespace Herald.Client;

/// <summary>Where the Herald server is and how to authenticate to it.</summary>
public sealed record HeraldClientOptions
{
    /// <summary>
    /// Base URL of the server, e.g. <c>http://localhost:8071</c> (without <c>/api/v1</c>). Optional when the
    /// <see cref="HttpClient"/> given to <see cref="HeraldClient(HttpClient, HeraldClientOptions)"/> has a
    /// <see cref="HttpClient.BaseAddress"/>.
    /// </summary>
    public Uri? ServerUrl { get; init; }

    /// <summary>
    /// Bearer token sent on every request: an admin token, or an application token from
    /// <see cref="AuthenticationApi.AppPortalAccessAsync"/>. Null sends none (only <c>/api/v1/health</c> allows that),
    /// or leaves the <c>Authorization</c> header the given <see cref="HttpClient"/> already sets.
    /// </summary>
    public string? Token { get; init; }

    /// <summary>Timeout of each request the client makes with its own <see cref="HttpClient"/>. Default 100 s, above the server's longest long-poll (60 s).</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(100);

    /// <summary>
    /// How long <see cref="PollerApi.StreamAsync(string, string, string?, CancellationToken)"/> waits before reconnecting
    /// after the connection dropped. Null (the default) waits as long as the server's <c>retry:</c> field says (2 s).
    /// </summary>
    public TimeSpan? StreamReconnectDelay { get; init; }

    /// <summary>
    /// How many reconnections in a row (without an event in between) the stream tries before it gives up and throws the
    /// last error. Default 10.
    /// </summary>
    public int StreamMaxReconnectAttempts { get; init; } = 10;
}
