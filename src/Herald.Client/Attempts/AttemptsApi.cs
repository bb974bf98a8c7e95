using Herald.Client.Http;

namespace Herald.Client;

/// <summary>The attempt log and delivery states (Svix's message-attempt resource), and resending.</summary>
public sealed class AttemptsApi
{
    private readonly HeraldHttp _http;

    internal AttemptsApi(HeraldHttp http) => _http = http;

    private static QueryBuilder Filtered(string path, AttemptListOptions? options) => new QueryBuilder(path)
        .Paging(options?.Limit, options?.Iterator, options?.Order)
        .Add("status", (int?)options?.Status)
        .Add("status_code_class", options?.StatusCodeClass)
        .Add("event_types", options?.EventTypes)
        .Add("channel", options?.Channel)
        .Add("before", options?.Before)
        .Add("after", options?.After)
        .Add("with_content", options?.WithContent);

    /// <summary>One page of the attempts to an endpoint, newest first.</summary>
    /// <param name="appId">Application id or uid.</param>
    /// <param name="endpointId">Endpoint id or uid.</param>
    /// <param name="options">Paging and filters.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public Task<ListResponse<MessageAttemptOut>> ListByEndpointAsync(string appId, string endpointId, AttemptListOptions? options = null, CancellationToken cancellationToken = default) =>
        _http.GetAsync(
            Filtered($"{ApiPath.App(appId)}/attempt/endpoint/{ApiPath.Escape(endpointId)}", options).Add("with_msg", options?.WithMsg).ToString(),
            HeraldJsonContext.Default.ListResponseMessageAttemptOut,
            cancellationToken);

    /// <summary>Every attempt to an endpoint matching the filters, page after page.</summary>
    /// <param name="appId">Application id or uid.</param>
    /// <param name="endpointId">Endpoint id or uid.</param>
    /// <param name="options">Paging and filters.</param>
    /// <param name="cancellationToken">Cancels the walk.</param>
    public IAsyncEnumerable<MessageAttemptOut> ListAllByEndpointAsync(string appId, string endpointId, AttemptListOptions? options = null, CancellationToken cancellationToken = default) =>
        Pages.WalkAsync(options?.Iterator, (iterator, ct) => ListByEndpointAsync(appId, endpointId, (options ?? new()) with { Iterator = iterator }, ct), cancellationToken);

    /// <summary>One page of the attempts of a message, newest first.</summary>
    /// <param name="appId">Application id or uid.</param>
    /// <param name="messageId">Message id or event id.</param>
    /// <param name="options">Paging and filters (<see cref="AttemptListOptions.EndpointId"/> narrows to one endpoint).</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public Task<ListResponse<MessageAttemptOut>> ListByMessageAsync(string appId, string messageId, AttemptListOptions? options = null, CancellationToken cancellationToken = default) =>
        _http.GetAsync(
            Filtered($"{ApiPath.App(appId)}/attempt/msg/{ApiPath.Escape(messageId)}", options).Add("endpoint_id", options?.EndpointId).ToString(),
            HeraldJsonContext.Default.ListResponseMessageAttemptOut,
            cancellationToken);

    /// <summary>Every attempt of a message matching the filters, page after page.</summary>
    /// <param name="appId">Application id or uid.</param>
    /// <param name="messageId">Message id or event id.</param>
    /// <param name="options">Paging and filters.</param>
    /// <param name="cancellationToken">Cancels the walk.</param>
    public IAsyncEnumerable<MessageAttemptOut> ListAllByMessageAsync(string appId, string messageId, AttemptListOptions? options = null, CancellationToken cancellationToken = default) =>
        Pages.WalkAsync(options?.Iterator, (iterator, ct) => ListByMessageAsync(appId, messageId, (options ?? new()) with { Iterator = iterator }, ct), cancellationToken);

    /// <summary>Gets one attempt of a message.</summary>
    /// <param name="appId">Application id or uid.</param>
    /// <param name="messageId">Message id or event id.</param>
    /// <param name="attemptId">Attempt id (<c>atmpt_…</c>).</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public Task<MessageAttemptOut> GetAsync(string appId, string messageId, string attemptId, CancellationToken cancellationToken = default) =>
        _http.GetAsync($"{ApiPath.App(appId)}/msg/{ApiPath.Escape(messageId)}/attempt/{ApiPath.Escape(attemptId)}", HeraldJsonContext.Default.MessageAttemptOut, cancellationToken);

    /// <summary>Deletes the stored response body of an attempt.</summary>
    /// <param name="appId">Application id or uid.</param>
    /// <param name="messageId">Message id or event id.</param>
    /// <param name="attemptId">Attempt id.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public Task ExpungeContentAsync(string appId, string messageId, string attemptId, CancellationToken cancellationToken = default) =>
        _http.DeleteAsync($"{ApiPath.App(appId)}/msg/{ApiPath.Escape(messageId)}/attempt/{ApiPath.Escape(attemptId)}/content", cancellationToken);

    /// <summary>One page of the endpoints a message was delivered to, with the state of each delivery.</summary>
    /// <param name="appId">Application id or uid.</param>
    /// <param name="messageId">Message id or event id.</param>
    /// <param name="options">Paging.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public Task<ListResponse<MessageEndpointOut>> ListAttemptedDestinationsAsync(string appId, string messageId, ListOptions? options = null, CancellationToken cancellationToken = default) =>
        _http.GetAsync(
            new QueryBuilder($"{ApiPath.App(appId)}/msg/{ApiPath.Escape(messageId)}/endpoint").Add(options).ToString(),
            HeraldJsonContext.Default.ListResponseMessageEndpointOut,
            cancellationToken);

    /// <summary>One page of the messages delivered to an endpoint, with the state of each delivery, newest first.</summary>
    /// <param name="appId">Application id or uid.</param>
    /// <param name="endpointId">Endpoint id or uid.</param>
    /// <param name="options">Paging and filters.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public Task<ListResponse<EndpointMessageOut>> ListAttemptedMessagesAsync(string appId, string endpointId, EndpointMessageListOptions? options = null, CancellationToken cancellationToken = default) =>
        _http.GetAsync(
            new QueryBuilder($"{ApiPath.App(appId)}/endpoint/{ApiPath.Escape(endpointId)}/msg")
                .Paging(options?.Limit, options?.Iterator, options?.Order)
                .Add("status", (int?)options?.Status)
                .Add("with_content", options?.WithContent)
                .ToString(),
            HeraldJsonContext.Default.ListResponseEndpointMessageOut,
            cancellationToken);

    /// <summary>Sends a message to an endpoint once more (one try, whatever happened before); 409 when the endpoint is disabled or the payload expunged.</summary>
    /// <param name="appId">Application id or uid.</param>
    /// <param name="messageId">Message id or event id.</param>
    /// <param name="endpointId">Endpoint id or uid.</param>
    /// <param name="idempotencyKey">Key to make retries safe; one is generated when null.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public Task ResendAsync(string appId, string messageId, string endpointId, string? idempotencyKey = null, CancellationToken cancellationToken = default) =>
        _http.PostAsync($"{ApiPath.App(appId)}/msg/{ApiPath.Escape(messageId)}/endpoint/{ApiPath.Escape(endpointId)}/resend", new EmptyBody(), HeraldJsonContext.Default.EmptyBody, idempotencyKey, cancellationToken);
}
