namespace Herald.Server.Storage;

/// <summary>
/// One page of a keyset-paginated list. <see cref="After"/> is the key the page starts after, in the
/// direction of travel: forward follows the list's order, backward walks against it (a previous page).
/// </summary>
public sealed record PageRequest(int Limit, string? After, bool Backward, bool Descending)
{
    /// <summary>
    /// The byte budget of the page's contents (message payloads, attempt response bodies): the page ends early, with
    /// more to come, before the item that would take it past the budget; it always holds at least one item.
    /// </summary>
    public long MaxBytes { get; init; } = long.MaxValue;

    /// <summary>False: contents (payloads, response bodies) are neither read nor returned; the budget then spares every item.</summary>
    public bool WithContent { get; init; } = true;

    /// <summary>True when the storage scan goes by increasing key.</summary>
    public bool ScanAscending => Descending == Backward;
}

/// <summary>Items in the list's presentation order; <see cref="HasMore"/> says whether more lie beyond in the direction of travel.</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, bool HasMore);
