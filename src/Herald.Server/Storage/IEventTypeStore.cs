using Herald.Server.EventTypes;

namespace Herald.Server.Storage;

/// <summary>The event-type catalogue.</summary>
public interface IEventTypeStore
{
    Task<EventType?> GetEventTypeAsync(string name, CancellationToken cancellationToken);
    Task<Page<EventType>> ListEventTypesAsync(PageRequest page, bool includeArchived, CancellationToken cancellationToken);
    Task<IReadOnlyList<string>> FindMissingEventTypesAsync(IReadOnlyCollection<string> names, CancellationToken cancellationToken);
    Task CreateEventTypeAsync(EventType eventType, CancellationToken cancellationToken);
    Task UpdateEventTypeAsync(EventType eventType, CancellationToken cancellationToken);
    Task<bool> DeleteEventTypeAsync(string name, CancellationToken cancellationToken);
}
