namespace Herald.Server.Storage.Sqlite;

internal sealed partial class SqliteStore
{
    /// <summary>
    /// The claim's condition for FIFO endpoints: a delivery of an endpoint that is not FIFO, or the head of a running
    /// line. Both subqueries are uncorrelated, so each runs once per claim, not once per due delivery.
    /// </summary>
    private const string FifoClaimable =
        """
        (endpoint_id NOT IN (SELECT id FROM endpoints WHERE fifo = 1)
         OR id IN (SELECT (SELECT h.id FROM deliveries h JOIN messages m ON m.id = h.message_id
                           WHERE h.endpoint_id = e.id AND h.status IN (1, 3) ORDER BY m.sequence, h.created_at, h.id LIMIT 1)
                   FROM endpoints e WHERE e.fifo = 1 AND e.fifo_stopped_at IS NULL))
        """;
}
