using System.Globalization;
using Herald.Server.Storage;

namespace Herald.Server.Api;

/// <summary>The list shape of every collection: <c>{data, iterator, prevIterator, done}</c>.</summary>
public sealed record ListResponse<T>(IReadOnlyList<T> Data, string? Iterator, string? PrevIterator, bool Done);

/// <summary>
/// Cursor pagination as Svix does it: <c>limit</c> (default 50, at most 250), <c>iterator</c> (the key of the
/// last item seen, marked with <c>~</c> when that key starts with <c>-</c>; a leading <c>-</c> walks backwards from the first item seen, which is what
/// <c>prevIterator</c> holds) and <c>order</c>.
/// </summary>
internal static class Paging
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 250;

    // A key may itself start with '-' (event type names may), and as a bare iterator it would read as a
    // backward one: marked with '~' (URL-safe, in no key alphabet), it stays a forward iterator.
    private const char ForwardMark = '~';

    private static string ForwardIterator(string key) => key.StartsWith('-') ? ForwardMark + key : key;

    public static PageRequest Parse(HttpRequest request, Func<string, bool> isValidKey, bool descendingByDefault)
    {
        var errors = new List<ValidationItem>();
        var limit = DefaultLimit;
        if (request.Query.TryGetValue("limit", out var limitText))
        {
            if (!int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit < 1 || limit > MaxLimit)
            {
                errors.Add(ValidationItem.At("query.limit", "out_of_range", $"must be an integer from 1 to {MaxLimit}."));
            }
        }

        var descending = descendingByDefault;
        if (request.Query.TryGetValue("order", out var order))
        {
            switch (order.ToString())
            {
                case "ascending": descending = false; break;
                case "descending": descending = true; break;
                default: errors.Add(ValidationItem.At("query.order", "invalid_value", "must be 'ascending' or 'descending'.")); break;
            }
        }

        string? after = null;
        var backward = false;
        var iterator = request.Query["iterator"].ToString();
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
