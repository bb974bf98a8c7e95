using System.ComponentModel;
using Microsoft.AspNetCore.Mvc;
using Herald.Server.Storage;

namespace Herald.Server.Api;

/// <summary>The list shape of every collection: <c>{data, iterator, prevIterator, done}</c>.</summary>
/// <param name="Data">The items of this page.</param>
/// <param name="Iterator">Pass as `iterator` to get the next page; null when there is none.</param>
/// <param name="PrevIterator">Pass as `iterator` to get the previous page; null when there is none.</param>
/// <param name="Done">True when this is the last page.</param>
public sealed record ListResponse<T>(IReadOnlyList<T> Data, string? Iterator, string? PrevIterator, bool Done);

/// <summary>
/// The query parameters of every list (bound with <c>[AsParameters]</c> through a route family's own record, which adds
/// its filters). Typed values are checked before binding by <see cref="QueryBindingCheck"/>, so a malformed one is
/// refused with a 422 naming it rather than the binder's bare 400.
/// </summary>
internal abstract record PageQuery
{
    [FromQuery(Name = "limit"), Description("How many items to return: 1 to 250, default 50.")]
    public int? Limit { get; init; }

    [FromQuery(Name = "iterator"), Description("Where to continue: the `iterator` (next page) or `prevIterator` (previous page) of a prior answer.")]
    public string? Iterator { get; init; }

    [FromQuery(Name = "order"), Description("`ascending` or `descending` by id (the list's default order otherwise).")]
    public string? Order { get; init; }
}

/// <summary>A list without filters of its own (endpoints, polling endpoints, a message's endpoints, operational-webhook endpoints).</summary>
internal sealed record ListQuery : PageQuery;

/// <summary>
/// Cursor pagination as Svix does it: <c>limit</c> (default 50, at most 250), <c>iterator</c> (the key of the
/// last item seen, marked with <c>~</c> when that key starts with <c>-</c>; a leading <c>-</c> walks backwards from the first item seen, which is what
/// <c>prevIterator</c> holds) and <c>order</c>.
/// </summary>
internal static class Paging
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 250;

    /// <summary>What a bad <c>limit</c> is told, by the binding check (not a number) and by <see cref="Parse"/> (out of range) alike.</summary>
    public static readonly string LimitRule = $"must be an integer from 1 to {MaxLimit}.";

    // A key may itself start with '-' (event type names may), and as a bare iterator it would read as a
    // backward one: marked with '~' (URL-safe, in no key alphabet), it stays a forward iterator.
    private const char ForwardMark = '~';

    private static string ForwardIterator(string key) => key.StartsWith('-') ? ForwardMark + key : key;

    public static PageRequest Parse(PageQuery query, Func<string, bool> isValidKey, bool descendingByDefault)
    {
        var errors = new List<ValidationItem>();
        var limit = query.Limit ?? DefaultLimit;
        if (limit is < 1 or > MaxLimit)
        {
            errors.Add(ValidationItem.At("query.limit", "out_of_range", LimitRule));
        }

        var descending = descendingByDefault;
        switch (query.Order)
        {
            case null: break;
            case "ascending": descending = false; break;
            case "descending": descending = true; break;
            default: errors.Add(ValidationItem.At("query.order", "invalid_value", "must be 'ascending' or 'descending'.")); break;
        }

        string? after = null;
        var backward = false;
        var iterator = query.Iterator ?? "";
        if (iterator.Length > 0)
        {
            backward = iterator.StartsWith('-');
            after = backward || iterator.StartsWith(ForwardMark) ? iterator[1..] : iterator;
            if (!isValidKey(after))
            {
                errors.Add(ValidationItem.At("query.iterator", "invalid_iterator", "is not an iterator this list returned."));
            }
        }

        if (errors.Count > 0)
        {
            throw ApiException.Invalid(errors);
        }

        return new PageRequest(limit, after, backward, descending);
    }

    public static ListResponse<TOut> ToResponse<T, TOut>(Page<T> page, Func<T, string> key, Func<T, TOut> map)
    {
        var items = page.Items;
        return new ListResponse<TOut>(
            items.Select(map).ToList(),
            items.Count > 0 ? ForwardIterator(key(items[^1])) : null,
            items.Count > 0 ? "-" + key(items[0]) : null,
            !page.HasMore);
    }
}
