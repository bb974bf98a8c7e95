using System.Globalization;
using System.Text;

namespace Herald.Client.Http;

/// <summary>Builds a path with a query string, leaving out what is not set.</summary>
internal sealed class QueryBuilder(string path)
{
    private readonly StringBuilder _text = new(path);
    private bool _any;

    public QueryBuilder Add(string name, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            _text.Append(_any ? '&' : '?').Append(name).Append('=').Append(Uri.EscapeDataString(value));
            _any = true;
        }

        return this;
    }

    public QueryBuilder Add(string name, bool? value) => Add(name, value is { } v ? (v ? "true" : "false") : null);

    public QueryBuilder Add(string name, int? value) => Add(name, value?.ToString(CultureInfo.InvariantCulture));

    public QueryBuilder Add(string name, DateTimeOffset? value) =>
        Add(name, value?.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture));

    /// <summary>A list as repeated parameters (<c>event_types=a&amp;event_types=b</c>).</summary>
    public QueryBuilder Add(string name, IEnumerable<string>? values)
    {
        foreach (var value in values ?? [])
        {
            Add(name, value);
        }

        return this;
    }

    public QueryBuilder Add(ListOptions? options) => Paging(options?.Limit, options?.Iterator, options?.Order);

    public QueryBuilder Paging(int? limit, string? iterator, ListOrder? order) =>
        Add("limit", limit).Add("iterator", iterator).Add("order", order switch
        {
            ListOrder.Ascending => "ascending",
            ListOrder.Descending => "descending",
            _ => null,
        });

    public override string ToString() => _text.ToString();
}
