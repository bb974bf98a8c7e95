using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Herald.Client.Http;

/// <summary>
/// Sends API requests: the bearer token, JSON bodies, an <c>Idempotency-Key</c> on every POST, and every answer
/// outside 2xx turned into a <see cref="HeraldApiException"/>.
/// </summary>
internal sealed class HeraldHttp
{
    private const string IdempotencyKeyHeader = "Idempotency-Key";
    private readonly HttpClient _http;
    private readonly Uri _baseUrl;
    private readonly AuthenticationHeaderValue? _authorization;

    public HeraldHttp(HttpClient http, HeraldClientOptions options)
    {
        _http = http;
        var baseUrl = options.ServerUrl ?? http.BaseAddress
            ?? throw new ArgumentException("Set HeraldClientOptions.ServerUrl or the HttpClient's BaseAddress.", nameof(options));
        // A base with a path (https://example.com/herald) keeps it only with a trailing slash.
        _baseUrl = baseUrl.AbsoluteUri.EndsWith('/') ? baseUrl : new Uri(baseUrl.AbsoluteUri + "/");
        _authorization = options.Token is { Length: > 0 } token ? new AuthenticationHeaderValue("Bearer", token) : null;
        Options = options;
    }

    public HeraldClientOptions Options { get; }

    public HttpClient Client => _http;

    public HttpRequestMessage NewRequest(HttpMethod method, string path, string? idempotencyKey = null)
    {
        var request = new HttpRequestMessage(method, new Uri(_baseUrl, path));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (_authorization is not null)
        {
            request.Headers.Authorization = _authorization;
        }

        if (method == HttpMethod.Post)
        {
            // Svix's SDKs do the same: a retried POST (by the caller, with the same key) cannot apply twice.
            request.Headers.Add(IdempotencyKeyHeader, idempotencyKey ?? "auto_" + Guid.NewGuid().ToString("N"));
        }

        return request;
    }

    public Task<TOut> GetAsync<TOut>(string path, JsonTypeInfo<TOut> output, CancellationToken cancellationToken) =>
        SendAsync(NewRequest(HttpMethod.Get, path), output, cancellationToken);

    public Task<TOut> PostAsync<TIn, TOut>(string path, TIn body, JsonTypeInfo<TIn> input, JsonTypeInfo<TOut> output, string? idempotencyKey, CancellationToken cancellationToken) =>
        SendAsync(WithBody(NewRequest(HttpMethod.Post, path, idempotencyKey), body, input), output, cancellationToken);

    public Task PostAsync<TIn>(string path, TIn body, JsonTypeInfo<TIn> input, string? idempotencyKey, CancellationToken cancellationToken) =>
        SendAsync(WithBody(NewRequest(HttpMethod.Post, path, idempotencyKey), body, input), cancellationToken);

    public Task<TOut> PutAsync<TIn, TOut>(string path, TIn body, JsonTypeInfo<TIn> input, JsonTypeInfo<TOut> output, CancellationToken cancellationToken) =>
        SendAsync(WithBody(NewRequest(HttpMethod.Put, path), body, input), output, cancellationToken);

    public Task PutAsync<TIn>(string path, TIn body, JsonTypeInfo<TIn> input, CancellationToken cancellationToken) =>
        SendAsync(WithBody(NewRequest(HttpMethod.Put, path), body, input), cancellationToken);

    public Task<TOut> PatchAsync<TIn, TOut>(string path, TIn body, JsonTypeInfo<TIn> input, JsonTypeInfo<TOut> output, CancellationToken cancellationToken) =>
        SendAsync(WithBody(NewRequest(HttpMethod.Patch, path), body, input), output, cancellationToken);

    public Task PatchAsync<TIn>(string path, TIn body, JsonTypeInfo<TIn> input, CancellationToken cancellationToken) =>
        SendAsync(WithBody(NewRequest(HttpMethod.Patch, path), body, input), cancellationToken);

    public Task DeleteAsync(string path, CancellationToken cancellationToken) =>
        SendAsync(NewRequest(HttpMethod.Delete, path), cancellationToken);

    private static HttpRequestMessage WithBody<TIn>(HttpRequestMessage request, TIn body, JsonTypeInfo<TIn> input)
    {
        request.Content = JsonContent.Create(body, input);
        return request;
    }

    private async Task<TOut> SendAsync<TOut>(HttpRequestMessage request, JsonTypeInfo<TOut> output, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        return await response.Content.ReadFromJsonAsync(output, cancellationToken).ConfigureAwait(false)
            ?? throw new JsonException($"Herald answered {request.Method} {request.RequestUri?.AbsolutePath} with an empty body.");
    }

    private async Task SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends the request; the answer is returned only when it is a success, else thrown as <see cref="HeraldApiException"/>.</summary>
    public async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, HttpCompletionOption completion, CancellationToken cancellationToken)
    {
        using (request)
        {
            var response = await _http.SendAsync(request, completion, cancellationToken).ConfigureAwait(false);
            if (response.IsSuccessStatusCode)
            {
                return response;
            }

            using (response)
            {
                throw await ToExceptionAsync(response, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Reads the error body: <c>{code, detail}</c>, or for a 422 Svix's <c>{detail: [{loc, msg, type}]}</c> (Herald adds
    /// <c>code</c>). An answer that is neither (a proxy's HTML page) still gives a useful exception.
    /// </summary>
    public static async Task<HeraldApiException> ToExceptionAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (JsonSerializer.Deserialize(text, HeraldJsonContext.Default.ErrorBody) is { } body)
            {
                if (body.Detail.ValueKind == JsonValueKind.Array)
                {
                    var errors = body.Detail.Deserialize(HeraldJsonContext.Default.IReadOnlyListValidationError) ?? [];
                    var code = body.Code is { Length: > 0 } c ? c : "validation_error";
                    return new HeraldApiException(response.StatusCode, code, string.Join(" ", errors), errors);
                }

                if (body.Code is { Length: > 0 } plain)
                {
                    return new HeraldApiException(response.StatusCode, plain, body.Detail.ValueKind == JsonValueKind.String ? body.Detail.GetString() ?? "" : "");
                }
            }
        }
        catch (JsonException)
        {
            // Not JSON (or not an error body): described below from the status and the start of the body.
        }

        var detail = text.Length == 0 ? response.ReasonPhrase ?? "" : text[..Math.Min(text.Length, 500)];
        return new HeraldApiException(response.StatusCode, "http_" + ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture), detail);
    }
}

/// <summary>The error body of every refusal: <c>detail</c> is a string, or for a 422 the list of problems.</summary>
internal sealed record ErrorBody(string? Code, JsonElement Detail);
