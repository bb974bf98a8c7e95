namespace Herald.Server.Storage.Postgres;

internal sealed partial class PostgresStore
{
    /// <summary>
    /// The claim's condition on a candidate <c>s</c> of endpoint <c>e</c> (ClaimDueDeliveriesAsync): any delivery of an
    /// ordinary endpoint; only the head of a FIFO endpoint's line (its unfinished delivery of the lowest message
    /// sequence), and none while the line is stopped. Across nodes: a head becomes claimable only once the delivery before
    /// it is recorded finished (committed), and the claim's row lock (SKIP LOCKED, lease re-checked) lets one node take it.
    /// </summary>
    private const string FifoHeadOnly =
        """
        (NOT e.fifo
         OR (e.fifo_stopped_at IS NULL
             AND s.id = (SELECT h.id FROM deliveries h JOIN messages m ON m.id = h.message_id
                         WHERE h.endpoint_id = e.id AND h.status IN (1, 3) ORDER BY m.sequence, h.created_at, h.id LIMIT 1)))
        """;
}
