using Dapper;
using Herald.Server.Auth;
using Herald.Server.Idempotency;

namespace Herald.Server.Storage.Relational;

internal abstract partial class RelationalStore<TConnection, TTime, TTimeArg, TList>
{
    private sealed record TokenRow(
        string Id, byte[] Hash, string? AppId, TTime? ExpiresAt, TTime CreatedAt, bool ReadOnly, TList? Capabilities, string? SessionId,
        string? Name, string? Prefix, TTime? RevokedAt, TTime? LastUsedAt, TTime? PreviousExpiresAt, bool Previous)
    {
        private TokenRow()
            : this("", [], null, null, default, false, null, null, null, null, null, null, null, false)
        {
        }
    }

    /// <summary>The token; when the presented secret was the one a rotation replaced, it expires with that secret's grace.</summary>
    private ApiToken ToToken(TokenRow r)
    {
        var expiresAt = ToTime(r.ExpiresAt);
        if (r.Previous)
        {
            var previousUntil = ToTime(r.PreviousExpiresAt) ?? DateTimeOffset.MinValue;
            expiresAt = expiresAt is { } own && own < previousUntil ? own : previousUntil;
        }

        return new ApiToken
        {
            Id = r.Id,
            Hash = r.Hash,
            ApplicationId = r.AppId,
            ExpiresAt = expiresAt,
            CreatedAt = ToTime(r.CreatedAt),
            ReadOnly = r.ReadOnly,
            Capabilities = ToList(r.Capabilities),
            SessionId = r.SessionId,
            Name = r.Name,
            Prefix = r.Prefix,
            RevokedAt = ToTime(r.RevokedAt),
            LastUsedAt = ToTime(r.LastUsedAt),
            PreviousSecretExpiresAt = ToTime(r.PreviousExpiresAt),
        };
    }

    private const string TokenColumns =
        "id, hash, app_id, expires_at, created_at, read_only, capabilities, session_id, name, prefix, revoked_at, last_used_at, previous_expires_at";

    private sealed record IdempotencyRow(
        string Caller, string Key, byte[] Fingerprint, bool Completed, int StatusCode, string? ContentType, string? Location, byte[]? Body, TTime CreatedAt)
    {
        private IdempotencyRow()
            : this("", "", [], false, 0, null, null, null, default)
        {
        }
    }

    public Task<bool> AnyAdminTokenAsync(CancellationToken cancellationToken) =>
        ReadAsync(c => c.ExecuteScalarAsync<bool>("SELECT EXISTS (SELECT 1 FROM api_tokens WHERE app_id IS NULL)"), cancellationToken);

    public Task AddTokenAsync(ApiToken token, CancellationToken cancellationToken) =>
        TransactAsync((c, t) => c.ExecuteAsync(
            $"""
            INSERT INTO api_tokens (id, hash, app_id, expires_at, created_at, read_only, capabilities, session_id, name, prefix)
            VALUES (@Id, @Hash, @AppId, @ExpiresAt, @CreatedAt, @ReadOnly, {ListValue("@Capabilities")}, @SessionId, @Name, @Prefix)
            """,
            new
            {
                token.Id,
                token.Hash,
                AppId = token.ApplicationId,
                ExpiresAt = ToArg(token.ExpiresAt),
                CreatedAt = ToArg(token.CreatedAt),
                token.ReadOnly,
                Capabilities = StoredList(token.Capabilities),
                token.SessionId,
                token.Name,
                token.Prefix,
            }, t), cancellationToken);

    // An expiry only ever moves earlier (a token expired once stays expired).
    public virtual Task<bool> ExpireTokenAsync(string tokenId, DateTimeOffset at, CancellationToken cancellationToken) =>
        TransactAsync(async (c, t) => await c.ExecuteAsync(
            $"UPDATE api_tokens SET expires_at = {Least("COALESCE(expires_at, @at)", "@at")} WHERE id = @tokenId",
            new { tokenId, at = ToArg(at) }, t) == 1, cancellationToken);

    public virtual Task<int> ExpireApplicationTokensAsync(
        string applicationId, IReadOnlyCollection<string>? sessionIds, DateTimeOffset at, CancellationToken cancellationToken) =>
        TransactAsync((c, t) => c.ExecuteAsync(
            $"UPDATE api_tokens SET expires_at = {Least("COALESCE(expires_at, @at)", "@at")} WHERE app_id = @applicationId"
                + (sessionIds is null ? "" : $" AND {In("session_id", "@sessionIds")}"),
            new { applicationId, sessionIds = ListArg(sessionIds), at = ToArg(at) }, t), cancellationToken);

    // By the current secret, or by the one a rotation replaced (its own, partial index). SQLite caches the token (its
    // process is the only writer); PostgreSQL does not: every request reads the row, so a revocation or rotation on any
    // node holds on every node from its commit.
    public virtual Task<ApiToken?> FindTokenAsync(byte[] hash, CancellationToken cancellationToken) =>
        ReadAsync(async c => await HotFirstAsync<TokenRow>(c,
            $"""
            SELECT {TokenColumns}, FALSE AS previous FROM api_tokens WHERE hash = @hash
            UNION ALL
            SELECT {TokenColumns}, TRUE AS previous FROM api_tokens WHERE previous_hash = @hash
            LIMIT 1
            """, new { hash }) is { } row ? ToToken(row) : null, cancellationToken);

    public Task<IdempotencyRecord?> TryBeginIdempotentRequestAsync(IdempotencyRecord pending, DateTimeOffset expiredBefore, CancellationToken cancellationToken) =>
        TransactAsync(async (c, t) =>
        {
            await c.ExecuteAsync("DELETE FROM idempotency_keys WHERE caller = @Caller AND key = @Key AND created_at < @before",
                new { pending.Caller, pending.Key, before = ToArg(expiredBefore) }, t);
            // A concurrent insert of the same key (on any node) makes this one wait for it to commit, then do nothing;
            // the SELECT below, a new statement, then sees the winner's row.
            var inserted = await c.ExecuteAsync(
                "INSERT INTO idempotency_keys (caller, key, fingerprint, created_at) VALUES (@Caller, @Key, @Fingerprint, @CreatedAt) ON CONFLICT DO NOTHING",
                new { pending.Caller, pending.Key, pending.Fingerprint, CreatedAt = ToArg(pending.CreatedAt) }, t);
            if (inserted == 1)
            {
                return null;
            }

            var row = await c.QuerySingleAsync<IdempotencyRow>(
                "SELECT caller, key, fingerprint, completed, status_code, content_type, location, body, created_at FROM idempotency_keys WHERE caller = @Caller AND key = @Key",
                new { pending.Caller, pending.Key }, t);
            return new IdempotencyRecord
            {
                Caller = row.Caller,
                Key = row.Key,
                Fingerprint = row.Fingerprint,
                Completed = row.Completed,
                StatusCode = row.StatusCode,
                ContentType = row.ContentType,
                Location = row.Location,
                Body = row.Body,
                CreatedAt = ToTime(row.CreatedAt),
            };
        }, cancellationToken);

    public Task CompleteIdempotentRequestAsync(IdempotencyRecord completed, CancellationToken cancellationToken) =>
        TransactAsync((c, t) => c.ExecuteAsync(
            "UPDATE idempotency_keys SET completed = TRUE, status_code = @StatusCode, content_type = @ContentType, location = @Location, body = @Body WHERE caller = @Caller AND key = @Key",
            new { completed.StatusCode, completed.ContentType, completed.Location, completed.Body, completed.Caller, completed.Key }, t), cancellationToken);

    public Task AbandonIdempotentRequestAsync(string caller, string key, CancellationToken cancellationToken) =>
        TransactAsync((c, t) => c.ExecuteAsync("DELETE FROM idempotency_keys WHERE caller = @caller AND key = @key AND NOT completed", new { caller, key }, t), cancellationToken);

    public Task<int> DeleteExpiredIdempotencyKeysAsync(DateTimeOffset olderThan, CancellationToken cancellationToken) =>
        TransactAsync((c, t) => c.ExecuteAsync("DELETE FROM idempotency_keys WHERE created_at < @before", new { before = ToArg(olderThan) }, t), cancellationToken);
}
