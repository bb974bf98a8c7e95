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
        app.MapGet("/attempt/endpoint/{endpoint_id}", ListByEndpointAsync).WithSummary("Attempts to one endpoint, newest first.")
            .WithDescription("Paged with limit and iterator; filters: status, status_code_class, channel, tag, event_types, before, after. with_msg=true includes each attempt's message.");
        app.MapGet("/attempt/msg/{msg_id}", ListByMessageAsync).WithSummary("Attempts of one message, newest first.")
            .WithDescription("Paged with limit and iterator; filters: status, status_code_class, endpoint_id, channel, tag, event_types, before, after.");
        app.MapGet("/msg/{msg_id}/attempt/{attempt_id}", GetAsync).WithSummary("One attempt.")
            .WithDescription("The attempt with its response status, body and duration.");
        app.MapDelete("/msg/{msg_id}/attempt/{attempt_id}/content", ExpungeAsync).WithSummary("Delete the stored response body of an attempt.")
            .WithDescription("The response body is deleted for good (`response` becomes empty). Answers 204.");
        app.MapGet("/msg/{msg_id}/endpoint", ListDestinationsAsync).WithSummary("The endpoints a message was delivered to, with the state of each.")
            .WithDescription("One entry per endpoint the message was routed to, with its delivery status and next attempt; paged with limit and iterator.");
        app.MapGet("/endpoint/{endpoint_id}/msg", ListEndpointMessagesAsync).WithSummary("Messages delivered to an endpoint, with their state.")
            .WithDescription("Newest first; paged with limit and iterator; filters: status, channel, tag, event_types, before, after.");
        return app;
    }

    private static async Task<Ok<ListResponse<MessageAttemptOut>>> ListByEndpointAsync(
        CurrentApplication app, string endpoint_id, [AsParameters] AttemptsByEndpointQuery query, HttpContext context,
        IEndpointStore endpoints, IAttemptStore attempts, IMessageStore messages, ContentGate gate)
    {
        var filter = ToFilter(query);
        var endpoint = await app.FindEndpointAsync(endpoints, endpoint_id, context.RequestAborted);
        return await ListAsync(context, attempts, messages, endpoint.ApplicationId, filter with { EndpointId = endpoint.Id }, query, query.WithMsg == true, gate);
    }

    private static async Task<Ok<ListResponse<MessageAttemptOut>>> ListByMessageAsync(
        CurrentApplication app, string msg_id, [AsParameters] AttemptsByMessageQuery query, HttpContext context,
        IEndpointStore endpoints, IAttemptStore attempts, IMessageStore messages, ContentGate gate)
    {
        var filter = ToFilter(query);
        var application = app.Value;
        var message = await messages.GetMessageAsync(application.Id, msg_id, context.RequestAborted) ?? throw ApiException.NotFound("Message");
        string? endpointFilter = null;
        if (query.EndpointId is { Length: > 0 } endpointId)
        {
            endpointFilter = (await endpoints.GetEndpointAsync(application.Id, endpointId, context.RequestAborted) ?? throw ApiException.NotFound("Endpoint")).Id;
        }

        return await ListAsync(context, attempts, messages, application.Id, filter with { MessageId = message.Id, EndpointId = endpointFilter }, query, withMessage: false, gate);
    }

    private static async Task<Ok<ListResponse<MessageAttemptOut>>> ListAsync(
        HttpContext context, IAttemptStore attempts, IMessageStore messages, string applicationId, AttemptFilter filter, AttemptFilterQuery query, bool withMessage, ContentGate gate)
    {
        var withContent = query.WithContent ?? true;
        var page = Paging.Parse(query, key => Ids.IsValid(Ids.Attempt, key), descendingByDefault: true) with { MaxBytes = gate.PageByteBudget, WithContent = withContent };
        if (withContent)
        {
            await gate.HoldForAnswerAsync(context);
        }

        var result = await attempts.ListAttemptsAsync(applicationId, filter, page, context.RequestAborted);
        var messageOuts = new Dictionary<string, MessageOut?>();
        if (withMessage)
        {
            foreach (var id in result.Items.Select(a => a.MessageId).Distinct())
            {
                // Svix: "message payloads are never included in the response, regardless of this flag".
                messageOuts[id] = await messages.GetMessageAsync(applicationId, id, context.RequestAborted) is { } m ? MessageOut.From(m, withContent: false) : null;
            }
        }

        return TypedResults.Ok(Paging.ToResponse(result, a => a.Id, a =>
        {
            var attempt = MessageAttemptOut.From(a, messageOuts.GetValueOrDefault(a.MessageId));
            var status = query.Shown(attempt.Status);
            // Without content the response body reads "{}", as in Svix's server.
            return attempt with { Response = withContent ? attempt.Response : "{}", Status = status, StatusText = MessageAttemptOut.TextOf(status) };
        }));
    }

    private static AttemptFilter ToFilter(AttemptFilterQuery query)
    {
        var v = new Validator();
        var messageFilter = query.ToFilter(v);
        v.ThrowIfInvalid();
        return new AttemptFilter(null, null, query.Status, query.StatusCodeClass, messageFilter.EventTypes, messageFilter.Channel, messageFilter.Tag, messageFilter.Before, messageFilter.After);
    }

    private static async Task<Ok<MessageAttemptOut>> GetAsync(CurrentApplication app, string msg_id, string attempt_id, HttpContext context, IAttemptStore attempts, IMessageStore messages)
    {
        var application = app.Value;
        var message = await messages.GetMessageAsync(application.Id, msg_id, context.RequestAborted) ?? throw ApiException.NotFound("Message");
        var attempt = await attempts.GetAttemptAsync(application.Id, attempt_id, context.RequestAborted);
        return attempt is null || attempt.MessageId != message.Id ? throw ApiException.NotFound("Attempt") : TypedResults.Ok(MessageAttemptOut.From(attempt));
    }

    private static async Task<NoContent> ExpungeAsync(CurrentApplication app, string msg_id, string attempt_id, HttpContext context, IAttemptStore attempts, IMessageStore messages)
    {
        var application = app.Value;
        var message = await messages.GetMessageAsync(application.Id, msg_id, context.RequestAborted) ?? throw ApiException.NotFound("Message");
        var attempt = await attempts.GetAttemptAsync(application.Id, attempt_id, context.RequestAborted);
        if (attempt is null || attempt.MessageId != message.Id)
        {
            throw ApiException.NotFound("Attempt");
        }

        await attempts.ExpungeAttemptResponseAsync(application.Id, attempt.Id, context.RequestAborted);
        return TypedResults.NoContent();
    }

    private static async Task<Ok<ListResponse<MessageEndpointOut>>> ListDestinationsAsync(
        CurrentApplication app, string msg_id, [AsParameters] ListQuery query, HttpContext context, IAttemptStore attempts, IEndpointStore endpoints, IMessageStore messages)
    {
        var application = app.Value;
        var message = await messages.GetMessageAsync(application.Id, msg_id, context.RequestAborted) ?? throw ApiException.NotFound("Message");
        var page = Paging.Parse(query, key => Ids.IsValid(Ids.Endpoint, key), descendingByDefault: false);
        var states = await attempts.ListMessageDeliveryStatesAsync(message.Id, context.RequestAborted);
        var ordered = (page.ScanAscending ? states.OrderBy(s => s.EndpointId, StringComparer.Ordinal) : states.OrderByDescending(s => s.EndpointId, StringComparer.Ordinal))
            .Where(s => page.After is null || (page.ScanAscending ? string.CompareOrdinal(s.EndpointId, page.After) > 0 : string.CompareOrdinal(s.EndpointId, page.After) < 0))
            .Take(page.Limit + 1).ToList();
        var items = new List<(HeraldEndpoint Endpoint, DeliveryState State)>();
        foreach (var state in ordered)
        {
            if (await endpoints.GetEndpointAsync(application.Id, state.EndpointId, context.RequestAborted) is { } endpoint)
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
        CurrentApplication app, string endpoint_id, [AsParameters] EndpointMessagesQuery query, HttpContext context, IAttemptStore attempts, IEndpointStore endpoints, ContentGate gate)
    {
        var v = new Validator();
        var filter = query.ToFilter(v);
        v.ThrowIfInvalid();
        var withContent = query.WithContent ?? true;
        var page = Paging.Parse(query, key => Ids.IsValid(Ids.Message, key), descendingByDefault: true) with { MaxBytes = gate.PageByteBudget, WithContent = withContent };
        var endpoint = await app.FindEndpointAsync(endpoints, endpoint_id, context.RequestAborted);
        if (withContent)
        {
            await gate.HoldForAnswerAsync(context);
        }

        var result = await attempts.ListEndpointMessagesAsync(endpoint.Id, query.Status, filter, page, context.RequestAborted);
        return TypedResults.Ok(Paging.ToResponse(result, i => i.Message.Id, i =>
        {
            var message = EndpointMessageOut.From(i.Message, i.State, withContent);
            var status = query.Shown(message.Status);
            return message with { Status = status, StatusText = MessageAttemptOut.TextOf(status) };
        }));
    }
}
