using Herald.Server.Delivery;
using Npgsql;

namespace Herald.Server.Storage.Postgres;

/// <summary>
/// Group commit of successful attempts. Every attempt was its own statement and commit: one round trip, one backend
/// wake-up and one WAL flush per delivery, the largest cost of the PostgreSQL path after the publishes were grouped
/// (pg_stat_statements, docs/BENCHMARKS.md). The successful attempts waiting on this node now go together in one
/// statement that inserts them, moves their deliveries on and clears their endpoints' failure streaks. A failed attempt
/// still goes alone: its endpoint's streak start is read back for auto-disable, and a final failure stops its FIFO
/// line in the same transaction, both per attempt and order-dependent.
/// </summary>
internal sealed partial class PostgresStore
{
    /// <summary>The most attempts in one group.</summary>
    internal const int MaxAttemptGroup = 256;

    private sealed class PendingAttempt(AttemptRecord attempt, DeliveryTransition transition)
    {
        public AttemptRecord Attempt { get; } = attempt;

        public DeliveryTransition Transition { get; } = transition;

        public TaskCompletionSource Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private readonly CommitGroups<PendingAttempt> _attemptGroups;

    private static bool Groupable(AttemptRecord attempt, DeliveryTransition transition) =>
        attempt.Status == MessageStatus.Success && transition.Status != MessageStatus.Fail;

    private async Task<DateTimeOffset?> RecordInGroupAsync(AttemptRecord attempt, DeliveryTransition transition)
    {
        var pending = new PendingAttempt(attempt, transition);
        _attemptGroups.Add(pending);
        await pending.Completion.Task;
        return null; // A success ends the endpoint's failure streak.
    }

    private async Task CommitAttemptGroupAsync(List<PendingAttempt> group)
    {
        try
        {
            using var activity = Diagnostics.HeraldTracing.StartCommit("postgresql", writes: group.Count);
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await WriteAttemptGroupAsync(group);
                    break;
                }
                catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure && attempt < MaxAttempts)
                {
                    // Two nodes' groups clearing the same endpoints' streaks can meet in a lock cycle; the one rolled
                    // back runs again.
                }
                catch (Exception e) when (Diagnostics.HeraldTracing.FailedFilter(activity, e))
                {
                    throw; // Never reached: the filter marks the span failed and lets the exception pass.
                }
            }

            foreach (var pending in group)
            {
                pending.Completion.TrySetResult();
            }
        }
        catch (PostgresException e) when (group.Count > 1)
        {
            // One attempt the database refused (its delivery deleted meanwhile, with its endpoint) must not fail the
            // others: each runs alone, as it would have without the group, and gets its own outcome.
            LogAttemptGroupSplit(_logger, group.Count, e.SqlState);
            foreach (var pending in group)
            {
                try
                {
                    await RecordAttemptAloneAsync(pending.Attempt, pending.Transition, CancellationToken.None);
                    pending.Completion.TrySetResult();
                }
                catch (Exception alone)
                {
                    pending.Completion.TrySetException(alone);
                }
            }
        }
        catch (Exception e)
        {
            // The database is unreachable: every attempt of the group fails with it (none is stored), and the dispatcher's
            // bookkeeping retries each as it would a lone one.
            foreach (var pending in group)
            {
                pending.Completion.TrySetException(e);
            }
        }
    }

    private async Task WriteAttemptGroupAsync(List<PendingAttempt> group)
    {
        await using var connection = await _dataSource.OpenConnectionAsync();
        await using var command = new NpgsqlCommand(AttemptGroupSql, connection);
        var parameters = command.Parameters;
        parameters.Add(TextArrayParameter(group.Select(p => p.Attempt.Id)));
        parameters.Add(TextArrayParameter(group.Select(p => p.Attempt.ApplicationId)));
        parameters.Add(TextArrayParameter(group.Select(p => p.Attempt.DeliveryId)));
        parameters.Add(TextArrayParameter(group.Select(p => p.Attempt.MessageId)));
        parameters.Add(TextArrayParameter(group.Select(p => p.Attempt.EndpointId)));
        parameters.Add(TextArrayParameter(group.Select(p => p.Attempt.Url)));
        parameters.Add(new NpgsqlParameter<int[]> { TypedValue = [.. group.Select(p => (int)p.Attempt.Trigger)] });
        parameters.Add(new NpgsqlParameter<int[]> { TypedValue = [.. group.Select(p => p.Attempt.ResponseStatusCode)] });
        parameters.Add(TextArrayParameter(group.Select(p => p.Attempt.Response)));
        parameters.Add(new NpgsqlParameter<long[]> { TypedValue = [.. group.Select(p => p.Attempt.ResponseDurationMs)] });
        parameters.Add(TextArrayParameter(group.Select(p => p.Attempt.Error)));
        parameters.Add(TimeArrayParameter(group.Select(p => (DateTimeOffset?)Ts(p.Attempt.CreatedAt))));
        parameters.Add(new NpgsqlParameter<int[]> { TypedValue = [.. group.Select(p => (int)p.Transition.Status)] });
        parameters.Add(TimeArrayParameter(group.Select(p => Ts(p.Transition.NextAttemptAt))));
        await command.ExecuteNonQueryAsync();
    }

    // One element per attempt, all successful: the same three writes as RecordAttemptAsync's statement, for the whole
    // group. A delivery canceled while its try was in flight takes the success (only a failed try leaves it canceled).
    // The streaks are cleared only where set, so a healthy endpoint's row is neither rewritten nor locked.
    private const string AttemptGroupSql =
        """
        WITH a AS MATERIALIZED (
            SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::int[], $8::int[], $9::text[],
                                 $10::bigint[], $11::text[], $12::timestamptz[], $13::int[], $14::timestamptz[])
                 AS a (id, app_id, delivery_id, message_id, endpoint_id, url, trigger_type, response_status_code, response,
                       response_duration_ms, error, created_at, next_status, next)
        ), attempt AS (
            INSERT INTO attempts (id, app_id, delivery_id, message_id, endpoint_id, url, status, trigger_type, response_status_code,
                                  response, response_duration_ms, error, created_at)
            SELECT id, app_id, delivery_id, message_id, endpoint_id, url, 0, trigger_type, response_status_code,
                   response, response_duration_ms, error, created_at
            FROM a
        ), delivery AS (
            UPDATE deliveries d SET
                status = CASE WHEN d.status = 4 AND a.next_status <> 0 THEN 4 ELSE a.next_status END,
                next_attempt_at = CASE WHEN d.status = 4 AND a.next_status <> 0 THEN NULL ELSE a.next END,
                attempts = d.attempts + 1, lease_owner = NULL, lease_expires_at = NULL, updated_at = a.created_at
            FROM a WHERE d.id = a.delivery_id
        )
        UPDATE endpoints SET failing_since = NULL
        WHERE id IN (SELECT endpoint_id FROM a) AND failing_since IS NOT NULL
        """;

    [LoggerMessage(EventId = Diagnostics.EventIds.PostgresAttemptGroupSplit, Level = LogLevel.Debug,
        Message = "A group of {Count} attempts was refused by PostgreSQL (SQLSTATE {SqlState}); each runs alone")]
    private static partial void LogAttemptGroupSplit(ILogger logger, int count, string sqlState);
}
