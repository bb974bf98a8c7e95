namespace Herald.Server.Storage;

/// <summary>
/// One page of a keyset-paginated list. <see cref="After"/> is the key the page starts after, in the
/// direction of travel: forward follows the list's order, backward walks against it (a previous page).
/// </summary>
public sealed record PageRequest(int Limit, string? After, bool Backward, bool Descending)
{
    /// <summary>True when the storage scan goes by increasing key.</summary>
    public bool ScanAscending => Descending == Backward;
}

/// <summary>Items in the list's presentation order; <see cref="HasMore"/> says whether more lie beyond in the direction of travel.</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, bool HasMore);
