using System.Buffers;
using System.Text.Json;
using Dapper;
using Herald.Server.Delivery;
using Herald.Server.Messages;
using Npgsql;
using NpgsqlTypes;

namespace Herald.Server.Storage.Postgres;

/// <summary>
/// Group commit of publishes. Publishing one message used to be one transaction of five round trips that held its
/// application's row lock (the gap-free sequence) from the first statement to the commit's WAL flush, so the
/// publishes of one application ran one after another at the speed of the round trips (pg_stat_statements: the
/// sequence UPDATE waited 538 ms on average at 64 clients, docs/BENCHMARKS.md). Now the publishes waiting on this
/// node go together: one read of the applications' endpoints, then one statement, committed on its own, that numbers,
/// inserts and fans out the whole group. Each application's row lock is held only while that statement runs and
/// commits, once for the group instead of once per message.
/// </summary>
internal sealed partial class PostgresStore
{
    /// <summary>The most publishes in one group: bounds the statement's size and how long the first of them waits.</summary>
    internal const int MaxPublishGroup = 256;

    private sealed class PendingPublish(NewMessage message, DeliveryLease lease)
    {
        public NewMessage Message { get; } = message;

        public DeliveryLease Lease { get; } = lease;

        public TaskCompletionSource<PublishedMessage> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>An enabled endpoint as the group read it: its row and its secrets still sealed (opened only if a message goes to it).</summary>
    private sealed record FanOutEndpoint(EndpointRow Row, List<(string Key, DateTime? ExpiresAt)> Secrets)
    {
        public string Id => Row.Id;
    }

    private readonly CommitGroups<PendingPublish> _publishGroups;

    private Task<PublishedMessage> PublishInGroupAsync(NewMessage message, DeliveryLease lease)
    {
        var pending = new PendingPublish(message, lease);
        _publishGroups.Add(pending);
        return pending.Completion.Task;
    }

    private async Task CommitPublishGroupAsync(List<PendingPublish> group)
    {
        try
        {
            var published = await WritePublishGroupAsync(group);
            for (var i = 0; i < group.Count; i++)
            {
                if (published[i] is { } done)
                {
                    group[i].Completion.TrySetResult(done);
                }
                else
                {
                    group[i].Completion.TrySetException(new InvalidOperationException($"application {group[i].Message.ApplicationId} does not exist"));
                }
            }
        }
        catch (PostgresException e) when (group.Count > 1)
        {
            // One publish the database refused (a duplicate event id, an application deleted meanwhile) must not fail
            // the others: each runs alone, as it would have without the group, and gets its own outcome.
            LogPublishGroupSplit(_logger, group.Count, e.SqlState);
            foreach (var pending in group)
            {
                try
                {
                    var published = await PublishInTransactionAsync(pending.Message, null, pending.Lease, CancellationToken.None);
                    Notify([(published, pending.Lease.Owner)]);
                    pending.Completion.TrySetResult(published);
                }
                catch (Exception alone)
                {
                    pending.Completion.TrySetException(alone);
                }
            }
        }
        catch (Exception e)
        {
            // The database is unreachable (or the group failed as a whole): every publish of the group fails with it,
            // and none is stored.
            LogPublishGroupFailed(_logger, group.Count, e);
            var error = e is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation } unique
                ? new StorageConflictException(ConflictField(unique.ConstraintName), unique)
                : e;
            foreach (var pending in group)
            {
                pending.Completion.TrySetException(error);
            }
        }
    }

    private async Task<PublishedMessage?[]> WritePublishGroupAsync(List<PendingPublish> group)
    {
        using var activity = Diagnostics.HeraldTracing.StartCommit("postgresql", writes: group.Count);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var published = await TryWritePublishGroupAsync(group);
                Notify(published.Select((p, i) => (p, group[i].Lease.Owner)).Where(p => p.p is not null).Select(p => (p.p!, p.Owner)));
                return published;
            }
            catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure && attempt < MaxAttempts)
            {
                // Groups of several nodes lock their applications in id order, but a lock cycle with another writer
                // (deleting an endpoint, say) is still possible: PostgreSQL rolls one back, which is safe to run again.
            }
            catch (Exception e) when (Diagnostics.HeraldTracing.FailedFilter(activity, e))
            {
                throw; // Never reached: the filter marks the span failed and lets the exception pass.
            }
        }
    }

    private async Task<PublishedMessage?[]> TryWritePublishGroupAsync(List<PendingPublish> group)
    {
        await using var connection = await _dataSource.OpenConnectionAsync();
        var endpoints = await ReadFanOutEndpointsAsync(connection, group);
        var sending = new SendingEndpoints(this, endpoints);

        // Per application: how many messages, and each message's place among them (its sequence = base + place).
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        var places = new int[group.Count];
        for (var i = 0; i < group.Count; i++)
        {
            var app = group[i].Message.ApplicationId;
            places[i] = counts[app] = counts.GetValueOrDefault(app) + 1;
        }

        var deliveries = new List<DeliveryTask>[group.Count];
        var rows = new DeliveryRows(group.Count);
        for (var i = 0; i < group.Count; i++)
        {
            var (message, lease) = (group[i].Message, group[i].Lease);
            var targets = message.TargetEndpointId is { } target
                ? [target]
                : FanOut(endpoints.GetValueOrDefault(message.ApplicationId), message);
            var created = new List<DeliveryTask>(targets.Count);
            // A scheduled message's deliveries are due at deliverAt and leased to nobody: only a scan at or after that
            // time claims them, on any node of the cluster, and none goes to the caller to send now.
            var scheduled = message.DeliverAt is not null;
            foreach (var endpointId in targets)
            {
                var delivery = new DeliveryTask(_ids.New(Ids.Delivery), message.ApplicationId, message.Id, endpointId, Manual: false, Attempts: 0);
                // An endpoint that already has a full room on this node gets its delivery from a scan (ClaimRoom).
                var leased = !scheduled && lease.TakesEndpoint(endpointId);
                if (leased)
                {
                    created.Add(delivery);
                }

                rows.Add(delivery, Ts(message.DeliverAt ?? message.CreatedAt), leased ? lease : null, Ts(message.CreatedAt));
            }

            deliveries[i] = created;
        }

        await using var command = new NpgsqlCommand(PublishGroupSql, connection);
        var parameters = command.Parameters;
        parameters.Add(TextArrayParameter([.. counts.Keys]));
        parameters.Add(new NpgsqlParameter<int[]> { TypedValue = [.. counts.Values] });
        parameters.Add(TextArrayParameter(group.Select(p => p.Message.Id)));
        parameters.Add(TextArrayParameter(group.Select(p => p.Message.ApplicationId)));
        parameters.Add(new NpgsqlParameter<int[]> { TypedValue = places });
        parameters.Add(TextArrayParameter(group.Select(p => p.Message.EventId)));
        parameters.Add(TextArrayParameter(group.Select(p => p.Message.EventType)));
        parameters.Add(new NpgsqlParameter<byte[]?[]> { TypedValue = [.. group.Select(p => p.Message.Payload)] });
        parameters.Add(TextArrayParameter(group.Select(p => JsonList(p.Message.Channels))));
        parameters.Add(TextArrayParameter(group.Select(p => JsonList(p.Message.Tags))));
        parameters.Add(TimeArrayParameter(group.Select(p => (DateTimeOffset?)Ts(p.Message.CreatedAt))));
        parameters.Add(TimeArrayParameter(group.Select(p => Ts(p.Message.DeliverAt))));
        parameters.Add(TimeArrayParameter(group.Select(p => Ts(p.Message.PayloadExpiresAt))));
        parameters.Add(TextArrayParameter(group.Select(p => p.Message.TraceParent)));
        parameters.Add(TextArrayParameter(rows.Ids));
        parameters.Add(TextArrayParameter(rows.AppIds));
        parameters.Add(TextArrayParameter(rows.MessageIds));
        parameters.Add(TextArrayParameter(rows.EndpointIds));
        parameters.Add(TimeArrayParameter(rows.Dues));
        parameters.Add(TextArrayParameter(rows.Owners));
        parameters.Add(TimeArrayParameter(rows.Untils));
        parameters.Add(TimeArrayParameter(rows.Nows));

        // No transaction of Herald's: the one statement is its own, so the locks it takes are let go by its own commit,
        // without a further round trip.
        var bases = new Dictionary<string, long>(counts.Count, StringComparer.Ordinal);
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                bases[reader.GetString(0)] = reader.GetInt64(1);
            }
        }

        var published = new PublishedMessage?[group.Count];
        for (var i = 0; i < group.Count; i++)
        {
            var message = group[i].Message;
            if (!bases.TryGetValue(message.ApplicationId, out var first))
            {
                // The application was deleted meanwhile (with no endpoint, so no foreign key failed): its messages were
                // not inserted, the group's others were.
                published[i] = null;
                continue;
            }

            var numbered = message.Numbered(first + places[i]);
            published[i] = new PublishedMessage(numbered, [.. deliveries[i].Select(d => d with { HandOff = new DeliveryHandOff(numbered, sending.Get(d.EndpointId)) })]);
        }

        return published;
    }

    /// <summary>
    /// The group's endpoints as a fresh delivery's first attempt needs them (its endpoint and opened secrets), each opened
    /// once per group and only if the group sends to it; none for an endpoint the group did not read (a message aimed at
    /// one endpoint) or read without a secret (created between the group's two reads): those attempts read their work.
    /// </summary>
    private sealed class SendingEndpoints(PostgresStore store, Dictionary<string, List<FanOutEndpoint>> read)
    {
        private readonly Dictionary<string, FanOutEndpoint> _read = read.Values.SelectMany(list => list).ToDictionary(e => e.Id, StringComparer.Ordinal);
        private readonly Dictionary<string, SendingEndpoint?> _opened = new(StringComparer.Ordinal);

        public SendingEndpoint? Get(string endpointId)
        {
            if (_opened.TryGetValue(endpointId, out var opened))
            {
                return opened;
            }

            var found = _read.GetValueOrDefault(endpointId);
            return _opened[endpointId] = found is null || found.Secrets.Count == 0
                ? null
                : new SendingEndpoint(
                    store.ToEndpoint(found.Row),
                    [.. found.Secrets.Select(s => (store.OpenSecret(endpointId, s.Key), s.ExpiresAt is { } at ? (DateTimeOffset?)Time(at) : null))]);
        }
    }

    // $1 application ids (each once) and $2 their message counts; $3–$14 one element per message; $15–$22 one per
    // delivery. The applications are locked in id order first, so groups of several nodes never lock in a cycle; the
    // sequence UPDATE returns each one's base (its last sequence before the group). Channels and tags travel as JSON
    // (PostgreSQL has no arrays of arrays). The deliveries' foreign key to messages is checked at the end of the
    // statement, when the messages are in.
    private const string PublishGroupSql =
        $"""
        WITH locked AS MATERIALIZED (
            SELECT id FROM applications WHERE id = ANY($1) ORDER BY id FOR NO KEY UPDATE
        ), numbered AS (
            UPDATE applications a SET last_sequence = a.last_sequence + c.n
            FROM (SELECT l.id, c.n FROM locked l JOIN unnest($1::text[], $2::int[]) AS c (id, n) ON c.id = l.id) AS c
            WHERE a.id = c.id
            RETURNING a.id, a.last_sequence - c.n AS base
        ), inserted AS (
            INSERT INTO messages ({MessageColumns})
            SELECT m.id, m.app_id, n.base + m.place, m.event_id, m.event_type, m.payload,
                   CASE WHEN m.channels IS NULL THEN NULL ELSE ARRAY(SELECT jsonb_array_elements_text(m.channels::jsonb)) END,
                   CASE WHEN m.tags IS NULL THEN NULL ELSE ARRAY(SELECT jsonb_array_elements_text(m.tags::jsonb)) END,
                   m.created_at, m.deliver_at, m.expires_at, m.trace_parent
            FROM unnest($3::text[], $4::text[], $5::int[], $6::text[], $7::text[], $8::bytea[], $9::text[], $10::text[],
                        $11::timestamptz[], $12::timestamptz[], $13::timestamptz[], $14::text[])
                 AS m (id, app_id, place, event_id, event_type, payload, channels, tags, created_at, deliver_at, expires_at, trace_parent)
            JOIN numbered n ON n.id = m.app_id
        ), fanned AS (
            INSERT INTO deliveries (id, app_id, message_id, endpoint_id, manual, status, attempts, next_attempt_at, lease_owner, lease_expires_at, created_at, updated_at)
            SELECT d.id, d.app_id, d.message_id, d.endpoint_id, FALSE, 1, 0, d.due, d.owner, d.until, d.now, d.now
            FROM unnest($15::text[], $16::text[], $17::text[], $18::text[], $19::timestamptz[], $20::text[], $21::timestamptz[], $22::timestamptz[])
                 AS d (id, app_id, message_id, endpoint_id, due, owner, until, now)
        )
        SELECT id, base FROM numbered
        """;

    /// <summary>
    /// The enabled endpoints of the group's applications (those with a message not aimed at one endpoint), whole, with
    /// their secrets not yet expired at the group's earliest message: the fan-out needs their filters, and a fresh
    /// delivery's first attempt the rest (<see cref="DeliveryHandOff"/>), which it would otherwise read per delivery.
    /// </summary>
    private static async Task<Dictionary<string, List<FanOutEndpoint>>> ReadFanOutEndpointsAsync(NpgsqlConnection connection, List<PendingPublish> group)
    {
        var applications = group.Where(p => p.Message.TargetEndpointId is null).Select(p => p.Message.ApplicationId).Distinct(StringComparer.Ordinal).ToArray();
        var endpoints = new Dictionary<string, List<FanOutEndpoint>>(StringComparer.Ordinal);
        if (applications.Length == 0)
        {
            return endpoints;
        }

        var now = group.Min(p => p.Message.CreatedAt);
        await using var reads = await connection.QueryMultipleAsync(
            $"""
            SELECT {EndpointColumns} FROM endpoints WHERE app_id = ANY(@applications) AND NOT disabled ORDER BY id;
            SELECT s.endpoint_id, s.key, s.expires_at FROM endpoint_secrets s JOIN endpoints e ON e.id = s.endpoint_id
            WHERE e.app_id = ANY(@applications) AND NOT e.disabled AND (s.expires_at IS NULL OR s.expires_at > @now)
            ORDER BY s.endpoint_id, s.created_at DESC, s.seq DESC
            """,
            new { applications, now = Ts(now) });
        var byId = new Dictionary<string, FanOutEndpoint>(StringComparer.Ordinal);
        foreach (var row in await reads.ReadAsync<EndpointRow>())
        {
            if (!endpoints.TryGetValue(row.AppId, out var list))
            {
                endpoints[row.AppId] = list = [];
            }

            var endpoint = new FanOutEndpoint(row, []);
            list.Add(endpoint);
            byId[row.Id] = endpoint;
        }

        foreach (var secret in await reads.ReadAsync<(string EndpointId, string Key, DateTime? ExpiresAt)>())
        {
            byId.GetValueOrDefault(secret.EndpointId)?.Secrets.Add((secret.Key, secret.ExpiresAt));
        }

        return endpoints;
    }

    /// <summary>
    /// The endpoints a message goes to: those whose event-type filter and channel filter match, in id order — the same
    /// rule as the single publish's SQL (<c>event_types IS NULL OR type = ANY(event_types)</c>, <c>channels IS NULL OR
    /// channels &amp;&amp; the message's</c>).
    /// </summary>
    private static List<string> FanOut(List<FanOutEndpoint>? endpoints, NewMessage message)
    {
        var targets = new List<string>(endpoints?.Count ?? 0);
        foreach (var endpoint in endpoints ?? [])
        {
            var (types, channels) = (endpoint.Row.EventTypes, endpoint.Row.Channels);
            if ((types is null || Array.IndexOf(types, message.EventType) >= 0)
                && (channels is null || (message.Channels is { } wanted && wanted.Any(c => Array.IndexOf(channels, c) >= 0))))
            {
                targets.Add(endpoint.Id);
            }
        }

        return targets;
    }

    /// <summary>
    /// Tells the other nodes, once per application and owner, that messages were committed: the listeners only need
    /// to know which application to look at (the sequence is a hint), so a group costs one NOTIFY per application.
    /// </summary>
    private void Notify(IEnumerable<(PublishedMessage Published, string Owner)> published)
    {
        var last = new Dictionary<(string App, string Owner), long>();
        foreach (var (item, owner) in published)
        {
            var key = (item.Message.ApplicationId, owner);
            last[key] = Math.Max(item.Message.Sequence, last.GetValueOrDefault(key));
        }

        foreach (var ((app, owner), sequence) in last)
        {
            _notifier.Post(FormattableString.Invariant($"{app} {sequence} {owner}"));
        }
    }

    private static string? JsonList(IReadOnlyCollection<string>? list)
    {
        if (list is null)
        {
            return null;
        }

        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            foreach (var item in list)
            {
                writer.WriteStringValue(item);
            }

            writer.WriteEndArray();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static NpgsqlParameter<string?[]> TextArrayParameter(IEnumerable<string?> values) =>
        new() { TypedValue = [.. values], NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text };

    private static NpgsqlParameter<DateTimeOffset?[]> TimeArrayParameter(IEnumerable<DateTimeOffset?> values) =>
        new() { TypedValue = [.. values], NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz };

    /// <summary>The deliveries of a group, column by column, for the statement's unnest.</summary>
    private sealed class DeliveryRows(int capacity)
    {
        public List<string?> Ids { get; } = new(capacity);

        public List<string?> AppIds { get; } = new(capacity);

        public List<string?> MessageIds { get; } = new(capacity);

        public List<string?> EndpointIds { get; } = new(capacity);

        public List<DateTimeOffset?> Dues { get; } = new(capacity);

        public List<string?> Owners { get; } = new(capacity);

        public List<DateTimeOffset?> Untils { get; } = new(capacity);

        public List<DateTimeOffset?> Nows { get; } = new(capacity);

        public void Add(DeliveryTask delivery, DateTimeOffset due, DeliveryLease? lease, DateTimeOffset now)
        {
            Ids.Add(delivery.Id);
            AppIds.Add(delivery.ApplicationId);
            MessageIds.Add(delivery.MessageId);
            EndpointIds.Add(delivery.EndpointId);
            Dues.Add(due);
            Owners.Add(lease?.Owner);
            Untils.Add(Ts(lease?.Until));
            Nows.Add(now);
        }
    }

    [LoggerMessage(EventId = Diagnostics.EventIds.PostgresPublishGroupSplit, Level = LogLevel.Debug,
        Message = "A group of {Count} publishes was refused by PostgreSQL (SQLSTATE {SqlState}); each runs alone")]
    private static partial void LogPublishGroupSplit(ILogger logger, int count, string sqlState);

    [LoggerMessage(EventId = Diagnostics.EventIds.PostgresPublishGroupFailed, Level = LogLevel.Warning,
        Message = "A group commit of {Count} publishes to PostgreSQL failed")]
    private static partial void LogPublishGroupFailed(ILogger logger, int count, Exception exception);
}
