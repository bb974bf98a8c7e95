using Herald.Server.Delivery;
using Microsoft.Extensions.Options;

namespace Herald.Server.Cluster;

/// <summary>This process as a holder of delivery leases.</summary>
internal sealed class DeliveryNode(TimeProvider time, IOptions<DeliveryOptions> options)
{
    public string Owner { get; } = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid():N}";

    public DeliveryLease NewLease() => new(Owner, time.GetUtcNow() + options.Value.LeaseDuration);
}
