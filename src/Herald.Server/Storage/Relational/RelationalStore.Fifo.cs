using Dapper;

namespace Herald.Server.Storage.Relational;

internal abstract partial class RelationalStore<TConnection, TTime, TTimeArg, TList>
{
    /// <summary>In RecordAttemptAsync's transaction: a delivery that failed for good stops its line, when set to stop.</summary>
    protected const string StopFifoLineOnFail =
        """
        UPDATE endpoints SET fifo_stopped_at = @now
        WHERE id = @EndpointId AND fifo AND fifo_stop AND fifo_stopped_at IS NULL
          AND EXISTS (SELECT 1 FROM deliveries WHERE id = @DeliveryId AND status = 2)
        """;

    public Task<string?> GetFifoHeadAsync(string endpointId, CancellationToken cancellationToken) =>
        ReadAsync(c => c.QuerySingleOrDefaultAsync<string?>(
            """
            SELECT h.id FROM deliveries h JOIN messages m ON m.id = h.message_id
            WHERE h.endpoint_id = @endpointId AND h.status IN (1, 3)
              AND NOT EXISTS (SELECT 1 FROM endpoints e WHERE e.id = @endpointId AND e.fifo_stopped_at IS NOT NULL)
            ORDER BY m.sequence, h.created_at, h.id LIMIT 1
            """,
            new { endpointId }), cancellationToken);

    public Task<bool> ResumeFifoLineAsync(string endpointId, CancellationToken cancellationToken) =>
        TransactAsync(async (c, t) => await c.ExecuteAsync(
            "UPDATE endpoints SET fifo_stopped_at = NULL WHERE id = @endpointId AND fifo_stopped_at IS NOT NULL", new { endpointId }, t) == 1,
            cancellationToken);
}
