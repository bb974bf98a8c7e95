using Herald.Client.Http;

namespace Herald.Client;

/// <summary>Messages of an application (<c>/api/v1/app/{app}/msg</c>): publish, list, get, expunge.</summary>
public sealed class MessagesApi
{
    private readonly HeraldHttp _http;

    internal MessagesApi(HeraldHttp http) => _http = http;

    private static string BasePath(string appId) => ApiPath.App(appId) + "/msg";

    /// <summary>
    /// Publishes a message: it is stored durably before the answer, then delivered to every matching endpoint and
    /// readable by every matching polling endpoint.
    /// </summary>
    /// <param name="appId">Application id or uid.</param>
    /// <param name="message">The message.</param>
    /// <param name="idempotencyKey">Key to make retries safe (the same key returns the same message); one is generated when null.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public Task<MessageOut> CreateAsync(string appId, MessageIn message, string? idempotencyKey = null, CancellationToken cancellationToken = default) =>
        _http.PostAsync(BasePath(appId), message, HeraldJsonContext.Default.MessageIn, HeraldJsonContext.Default.MessageOut, idempotencyKey, cancellationToken);

    /// <summary>One page of the application's messages, newest first.</summary>
    /// <param name="appId">Application id or uid.</param>
    /// <param name="options">Paging and filters.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public Task<ListResponse<MessageOut>> ListAsync(string appId, MessageListOptions? options = null, CancellationToken cancellationToken = default)
    {
        var query = new QueryBuilder(BasePath(appId))
            .Paging(options?.Limit, options?.Iterator, options?.Order)
            .Add("event_types", options?.EventTypes)
            .Add("channel", options?.Channel)
            .Add("tag", options?.Tag)
            .Add("before", options?.Before)
            .Add("after", options?.After)
            .Add("with_content", options?.WithContent);
        return _http.GetAsync(query.ToString(), HeraldJsonContext.Default.ListResponseMessageOut, cancellationToken);
    }

    /// <summary>Every message matching the filters, page after page.</summary>
    /// <param name="appId">Application id or uid.</param>
    /// <param name="options">Paging and filters.</param>
    /// <param name="cancellationToken">Cancels the walk.</param>
    public IAsyncEnumerable<MessageOut> ListAllAsync(string appId, MessageListOptions? options = null, CancellationToken cancellationToken = default) =>
        Pages.WalkAsync(options?.Iterator, (iterator, ct) => ListAsync(appId, (options ?? new()) with { Iterator = iterator }, ct), cancellationToken);

    /// <summary>Gets a message by id or event id.</summary>
    /// <param name="appId">Application id or uid.</param>
    /// <param name="messageId">Id (<c>msg_…</c>) or event id.</param>
    /// <param name="withContent">Include the payload.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public Task<MessageOut> GetAsync(string appId, string messageId, bool withContent = true, CancellationToken cancellationToken = default) =>
        _http.GetAsync(
            new QueryBuilder($"{BasePath(appId)}/{ApiPath.Escape(messageId)}").Add("with_content", withContent ? null : false).ToString(),
            HeraldJsonContext.Default.MessageOut,
            cancellationToken);

    /// <summary>Deletes a message's payload; the message's metadata and attempts stay.</summary>
    /// <param name="appId">Application id or uid.</param>
    /// <param name="messageId">Id or event id.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public Task ExpungeContentAsync(string appId, string messageId, CancellationToken cancellationToken = default) =>
        _http.DeleteAsync($"{BasePath(appId)}/{ApiPath.Escape(messageId)}/content", cancellationToken);
}
