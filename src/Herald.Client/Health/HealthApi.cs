using System.Net;
using System.Net.Http.Json;
using Herald.Client.Http;

namespace Herald.Client;

/// <summary>The health route (<c>/api/v1/health</c>; no token needed).</summary>
public sealed class HealthApi
{
    private readonly HeraldHttp _http;

    internal HealthApi(HeraldHttp http) => _http = http;

    /// <summary>
    /// Whether the server is up and its storage reachable. A server whose storage is down answers 503 with the same
    /// body, returned here (<see cref="HealthOut.IsHealthy"/> false) rather than thrown.
    /// </summary>
    /// <param name="cancellationToken">Cancels the request.</param>
    public async Task<HealthOut> GetAsync(CancellationToken cancellationToken = default)
    {
        using var request = _http.NewRequest(HttpMethod.Get, ApiPath.Root + "health");
        using var response = await _http.Client.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode is not (HttpStatusCode.OK or HttpStatusCode.ServiceUnavailable))
        {
            throw await HeraldHttp.ToExceptionAsync(response, cancellationToken).ConfigureAwait(false);
        }

        return await response.Content.ReadFromJsonAsync(HeraldJsonContext.Default.HealthOut, cancellationToken).ConfigureAwait(false)
            ?? throw new HeraldApiException(response.StatusCode, "empty_body", "The health route answered without a body.");
    }
}
