using GraphQL;
using GraphQL.Builders;
using GraphQL.Types;
using GraphQL.Types.Relay.DataObjects;
using Herald.Server.Api;
using Herald.Server.Storage;

namespace Herald.Server.GraphQL;

/// <summary>The order of a connection, as the REST lists' <c>order</c> parameter.</summary>
internal enum ListOrder
{
    Ascending,
    Descending,
}

/// <summary>
/// Relay cursor connections over the REST lists: a cursor is the REST iterator of an item (its key), <c>first</c> /
/// <c>after</c> walk forward as <c>limit</c> / <c>iterator</c> do, <c>last</c> / <c>before</c> walk backward as a
/// <c>prevIterator</c> does, and <see cref="Paging.Parse"/> checks them with the same rules (1 to 250 items, a cursor
/// this list returned).
/// </summary>
internal static class Connections
{
    public static FieldBuilder<TSource, object> Paged<TSource>(this FieldBuilder<TSource, object> field) => field
        .Argument<IntGraphType>("first", $"How many items after `after` (or from the start): 1 to {Paging.MaxLimit}, default {Paging.DefaultLimit}.")
        .Argument<StringGraphType>("after", "Continue after this cursor (a `pageInfo.endCursor` or an edge's `cursor`).")
        .Argument<IntGraphType>("last", $"How many items before `before`: 1 to {Paging.MaxLimit}.")
        .Argument<StringGraphType>("before", "Walk back from this cursor (a `pageInfo.startCursor`).")
        .Argument<EnumerationGraphType<ListOrder>>("order", "Ascending or descending by id (the list's default otherwise, as in REST).");

    public static PageRequest Page(IResolveFieldContext context, Func<string, bool> isValidKey, bool descendingByDefault)
    {
        var first = context.GetArgument<int?>("first");
        var last = context.GetArgument<int?>("last");
        var after = context.GetArgument<string?>("after");
        var before = context.GetArgument<string?>("before");
        if (first is not null && last is not null)
        {
            throw GraphQLErrors.Invalid("Give `first` or `last`, not both.");
        }

        if (after is { Length: > 0 } && before is { Length: > 0 })
        {
            throw GraphQLErrors.Invalid("Give `after` or `before`, not both.");
        }

        var iterator = before is { Length: > 0 } ? "-" + (before.StartsWith('~') ? before[1..] : before) : after;
        var order = context.GetArgument<ListOrder?>("order") switch
        {
            ListOrder.Ascending => "ascending",
            ListOrder.Descending => "descending",
            _ => null,
        };
        return Paging.Parse(new ListQuery { Limit = last ?? first, Iterator = iterator, Order = order }, isValidKey, descendingByDefault);
    }

    public static Connection<T> ToConnection<T>(Page<T> page, PageRequest request, Func<T, string> key)
    {
        var edges = page.Items.Select(item => new Edge<T> { Cursor = Cursor(key(item)), Node = item }).ToList();
        return new Connection<T>
        {
            Edges = edges,
            PageInfo = new PageInfo
            {
                HasNextPage = request.Backward ? request.After is not null : page.HasMore,
                HasPreviousPage = request.Backward ? page.HasMore : request.After is not null,
                StartCursor = edges.FirstOrDefault()?.Cursor,
                EndCursor = edges.LastOrDefault()?.Cursor,
            },
        };
    }

    /// <summary>The REST iterator of a key: the key itself, marked with <c>~</c> when it starts with <c>-</c> (see <see cref="Paging"/>).</summary>
    private static string Cursor(string key) => key.StartsWith('-') ? "~" + key : key;
}
