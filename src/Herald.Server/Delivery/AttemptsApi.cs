using System.Globalization;
using Herald.Server.Api;
using Herald.Server.Auth;
using Herald.Server.Endpoints;
using Herald.Server.Messages;
using Herald.Server.Storage;

namespace Herald.Server.Delivery;

/// <summary>The attempt log (Svix's message-attempt resource): what was tried, where, and how it went.</summary>
internal static class AttemptsApi
{
    public static RouteGroupBuilder MapAttempts(this RouteGroupBuilder api)
    {
        var app = api.MapGroup("/app/{app_id}").WithTags("Message attempts");
        app.MapGet("/attempt/endpoint/{endpoint_id}", ListByEndpointAsync).WithSummary("Attempts to one endpoint, newest first.");
        app.MapGet("/attempt/msg/{msg_id}", ListByMessageAsync).WithSummary("Attempts of one message, newest first.");
        app.MapGet("/msg/{msg_id}/attempt/{attempt_id}", GetAsync).WithSummary("One attempt.");
        app.MapDelete("/msg/{msg_id}/attempt/{attempt_id}/content", ExpungeAsync).WithSummary("Delete the stored response body of an attempt.");
        app.MapGet("/msg/{msg_id}/endpoint", ListDestinationsAsync).WithSummary("The endpoints a message was delivered to, with the state of each.");
        app.MapGet("/endpoint/{endpoint_id}/msg", ListEndpointMessagesAsync).WithSummary("Messages delivered to an endpoint, with their state.");
        return app;
    }

    private static async Task<Ok<ListResponse<MessageAttemptOut>>> ListByEndpointAsync(
        string app_id, string endpoint_id, HttpContext context, IHeraldStore store, bool? with_msg, bool? with_content)
    {
        var endpoint = await context.FindEndpointAsync(store, app_id, endpoint_id);
        return await ListAsync(context, store, endpoint.ApplicationId, ParseFilter(context.Request) with { EndpointId = endpoint.Id }, with_msg == true, with_content ?? true);
    }

    private static async Task<Ok<ListResponse<MessageAttemptOut>>> ListByMessageAsync(
        string app_id, string msg_id, HttpContext context, IHeraldStore store, string? endpoint_id, bool? with_content)
    {
        var application = await context.GetApplicationAsync(store, app_id);
        var message = await store.GetMessageAsync(application.Id, msg_id, context.RequestAborted) ?? throw ApiException.NotFound("Message");
        string? endpointFilter = null;
        if (endpoint_id is { Length: > 0 })
        {
            endpointFilter = (await store.GetEndpointAsync(application.Id, endpoint_id, context.RequestAborted) ?? throw ApiException.NotFound("Endpoint")).Id;
        }

        return await ListAsync(context, store, application.Id, ParseFilter(context.Request) with { MessageId = message.Id, EndpointId = endpointFilter }, false, with_content ?? true);
    }

    private static async Task<Ok<ListResponse<MessageAttemptOut>>> ListAsync(
        HttpContext context, IHeraldStore store, string applicationId, AttemptFilter filter, bool withMessage, bool withContent)
    {
        var page = Paging.Parse(context.Request, key => Ids.IsValid(Ids.Attempt, key), descendingByDefault: true);
        var result = await store.ListAttemptsAsync(applicationId, filter, page, context.RequestAborted);
        var messages = new Dictionary<string, MessageOut?>();
        if (withMessage)
        {
            foreach (var id in result.Items.Select(a => a.MessageId).Distinct())
            {
                messages[id] = await store.GetMessageAsync(applicationId, id, context.RequestAborted) is { } m ? MessageOut.From(m, withContent) : null;
            }
        }

        return TypedResults.Ok(Paging.ToResponse(result, a => a.Id, a => MessageAttemptOut.From(a, messages.GetValueOrDefault(a.MessageId))));
    }

    private static AttemptFilter ParseFilter(HttpRequest request)
    {
        var v = new Validator();
        MessageStatus? status = null;
        if (request.Query["status"].ToString() is { Length: > 0 } s)
        {
            if (int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && Enum.IsDefined((MessageStatus)n))
            {
                status = (MessageStatus)n;
            }
            else
            {
                v.Add("query.status", "invalid_value", "must be 0 (success), 1 (pending), 2 (fail), 3 (sending) or 4 (canceled).");
            }
        }

        int? codeClass = null;
        if (request.Query["status_code_class"].ToString() is { Length: > 0 } c)
        {
            if (int.TryParse(c, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is 0 or 100 or 200 or 300 or 400 or 500)
            {
                codeClass = n;
            }
            else
            {
                v.Add("query.status_code_class", "invalid_value", "must be 0 (no response), 100, 200, 300, 400 or 500.");
            }
        }

        var messageFilter = MessagesApi.ParseFilter(request, v);
        v.ThrowIfInvalid();
        return new AttemptFilter(null, null, status, codeClass, messageFilter.EventTypes, messageFilter.Channel, messageFilter.Before, messageFilter.After);
    }

    private static async Task<Ok<MessageAttemptOut>> GetAsync(string app_id, string msg_id, string attempt_id, HttpContext context, IHeraldStore store)
    {
        var application = await context.GetApplicationAsync(store, app_id);
        var message = await store.GetMessageAsync(application.Id, msg_id, context.RequestAborted) ?? throw ApiException.NotFound("Message");
        var attempt = await store.GetAttemptAsync(application.Id, attempt_id, context.RequestAborted);
        return attempt is null || attempt.MessageId != message.Id ? throw ApiException.NotFound("Attempt") : TypedResults.Ok(MessageAttemptOut.From(attempt));
    }

    private static async Task<NoContent> ExpungeAsync(string app_id, string msg_id, string attempt_id, HttpContext context, IHeraldStore store)
    {
        var application = await context.GetApplicationAsync(store, app_id);
        var message = await store.GetMessageAsync(application.Id, msg_id, context.RequestAborted) ?? throw ApiException.NotFound("Message");
        var attempt = await store.GetAttemptAsync(application.Id, attempt_id, context.RequestAborted);
        if (attempt is null || attempt.MessageId != message.Id)
        {
            throw ApiException.NotFound("Attempt");
        }

        await store.ExpungeAttemptResponseAsync(application.Id, attempt.Id, context.RequestAborted);
        return TypedResults.NoContent();
    }

    private static async Task<Ok<ListResponse<MessageEndpointOut>>> ListDestinationsAsync(string app_id, string msg_id, HttpContext context, IHeraldStore store)
    {
        var application = await context.GetApplicationAsync(store, app_id);
        var message = await store.GetMessageAsync(application.Id, msg_id, context.RequestAborted) ?? throw ApiException.NotFound("Message");
        var page = Paging.Parse(context.Request, key => Ids.IsValid(Ids.Endpoint, key), descendingByDefault: false);
        var states = await store.ListMessageDeliveryStatesAsync(message.Id, context.RequestAborted);
        var ordered = (page.ScanAscending ? states.OrderBy(s => s.EndpointId, StringComparer.Ordinal) : states.OrderByDescending(s => s.EndpointId, StringComparer.Ordinal))
            .Where(s => page.After is null || (page.ScanAscending ? string.CompareOrdinal(s.EndpointId, page.After) > 0 : string.CompareOrdinal(s.EndpointId, page.After) < 0))
            .Take(page.Limit + 1).ToList();
        var items = new List<(HeraldEndpoint Endpoint, DeliveryState State)>();
        foreach (var state in ordered)
        {
            if (await store.GetEndpointAsync(application.Id, state.EndpointId, context.RequestAborted) is { } endpoint)
            {
                items.Add((endpoint, state));
            }
        }

        var hasMore = items.Count > page.Limit;
        var pageItems = items.Take(page.Limit).ToList();
        if (page.Backward)
        {
            pageItems.Reverse();
        }

        return TypedResults.Ok(Paging.ToResponse(new Page<(HeraldEndpoint Endpoint, DeliveryState State)>(pageItems, hasMore), i => i.Endpoint.Id, i => MessageEndpointOut.From(i.Endpoint, i.State)));
    }

    private static async Task<Ok<ListResponse<EndpointMessageOut>>> ListEndpointMessagesAsync(
        string app_id, string endpoint_id, HttpContext context, IHeraldStore store, bool? with_content)
    {
        var endpoint = await context.FindEndpointAsync(store, app_id, endpoint_id);
        var status = ParseFilter(context.Request).Status;
        var page = Paging.Parse(context.Request, key => Ids.IsValid(Ids.Message, key), descendingByDefault: true);
        var result = await store.ListEndpointMessagesAsync(endpoint.Id, status, page, context.RequestAborted);
        return TypedResults.Ok(Paging.ToResponse(result, i => i.Message.Id, i => EndpointMessageOut.From(i.Message, i.State, with_content ?? true)));
    }
}
