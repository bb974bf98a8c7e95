using System.Collections.Concurrent;

namespace Herald.Receiver.Sample;

/// <summary>Stands in for the application's database: what has been processed.</summary>
public sealed class ProcessedInvoices
{
    private readonly ConcurrentQueue<InvoicePaid> _events = new();

    public IReadOnlyCollection<InvoicePaid> Events => _events;

    public void Add(InvoicePaid invoice) => _events.Enqueue(invoice);
}
