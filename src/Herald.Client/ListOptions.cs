namespace Herald.Client;

/// <summary>Paging of a list: page size, where to continue, and order.</summary>
public sealed record ListOptions
{
    /// <summary>Items per page, 1 to 250 (the server's default is 50).</summary>
    public int? Limit { get; init; }

    /// <summary>The <see cref="ListResponse{T}.Iterator"/> (or <see cref="ListResponse{T}.PrevIterator"/>) of a page to continue from.</summary>
    public string? Iterator { get; init; }

    /// <summary>Order of the items; each list has its own default (newest first for messages and attempts).</summary>
    public ListOrder? Order { get; init; }
}

/// <summary>Order of a list.</summary>
public enum ListOrder
{
    /// <summary>Oldest (or first by name) first.</summary>
    Ascending,

    /// <summary>Newest (or last by name) first.</summary>
    Descending,
}
