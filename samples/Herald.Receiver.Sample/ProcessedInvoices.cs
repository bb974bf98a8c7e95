using System.Collections.Concurrent;

namespace Herald.Receiver.Sample;

/// <summary>Stands in for the application's database: what has been processed.</summary>
public sealed class ProcessedOrders
{
    private readonly ConcurrentQueue<OrderEvent> _events = new();

    public IReadOnlyCollection<OrderEvent> Events => _events;

    public void Add(OrderEvent orderEvent) => _events.Enqueue(orderEvent);
}
