namespace Herald.Client;

/// <summary>One page of a list: <c>{data, iterator, prevIterator, done}</c>.</summary>
/// <typeparam name="T">The type of the items.</typeparam>
public sealed record ListResponse<T>
{
    /// <summary>The items of this page.</summary>
    public required IReadOnlyList<T> Data { get; init; }

    /// <summary>Pass as <see cref="ListOptions.Iterator"/> to get the next page; null when the page is empty.</summary>
    public string? Iterator { get; init; }

    /// <summary>Pass as <see cref="ListOptions.Iterator"/> to get the previous page; null when the page is empty.</summary>
    public string? PrevIterator { get; init; }

    /// <summary>True when this is the last page.</summary>
    public bool Done { get; init; }
}
