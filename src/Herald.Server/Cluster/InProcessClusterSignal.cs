namespace Herald.Server.Cluster;

/// <summary>
/// The signal of an embedded engine (SQLite): one file serves one process, so there is no other node to hear from.
/// This node's own commits reach its readers and dispatcher in memory directly (MessagePublisher, DeliveryQueue).
/// </summary>
internal sealed class InProcessClusterSignal : IClusterSignal
{
    public event Action<string, long>? MessageCommitted
    {
        add { }
        remove { }
    }

    public event Action? DeliveriesReleased
    {
        add { }
        remove { }
    }

    public event Action? MayHaveMissedSignals
    {
        add { }
        remove { }
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
