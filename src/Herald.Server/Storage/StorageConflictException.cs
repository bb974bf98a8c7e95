namespace Herald.Server.Storage;

/// <summary>A write broke a uniqueness rule (a uid, an event id, a name). <see cref="Field"/> names which.</summary>
public sealed class StorageConflictException(string field, Exception? inner = null)
    : Exception($"Another record already has this {field}.", inner)
{
    public string Field { get; } = field;
}
