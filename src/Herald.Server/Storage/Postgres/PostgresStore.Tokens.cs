using Dapper;
using Herald.Server.Auth;
using Herald.Server.Idempotency;

namespace Herald.Server.Storage.Postgres;

internal sealed partial class PostgresStore
{
    private sealed record TokenRow(
        string Id, byte[] Hash, string? AppId, DateTime? ExpiresAt, DateTime CreatedAt, bool ReadOnly, string[]? Capabilities, string? SessionId,
        string? Name, string? Prefix, DateTime? RevokedAt, DateTime? LastUsedAt, DateTime? PreviousExpiresAt, bool Previous)
    {
        // Npgsql reports text[] columns as System.Array, which matches no positional constructor: Dapper then builds
        // the row through this one and its init setters.
        private TokenRow()
            : this("", [], null, null, default, false, null, null, null, null, null, null, null, false)
        {
        }

        /// <summary>The token; when the presented secret was the one a rotation replaced, it expires with that secret's grace.</summary>
        public ApiToken ToToken()
        {
            var expiresAt = Time(ExpiresAt);
            if (Previous)
            {
                var previousUntil = Time(PreviousExpiresAt) ?? DateTimeOffset.MinValue;
                expiresAt = expiresAt is { } own && own < previousUntil ? own : previousUntil;
            }

            return new ApiToken
            {
                Id = Id,
                Hash = Hash,
                ApplicationId = AppId,
                ExpiresAt = expiresAt,
                CreatedAt = Time(CreatedAt),
                ReadOnly = ReadOnly,
                Capabilities = Capabilities,
                SessionId = SessionId,
                Name = Name,
                Prefix = Prefix,
                RevokedAt = Time(RevokedAt),
                LastUsedAt = Time(LastUsedAt),
                PreviousSecretExpiresAt = Time(PreviousExpiresAt),
            };
        }
    }

    private const string TokenColumns =
        "id, hash, app_id, expires_at, created_at, read_only, capabilities, session_id, name, prefix, revoked_at, last_used_at, previous_expires_at";

    private sealed record IdempotencyRow(
        string Caller, string Key, byte[] Fingerprint, bool Completed, int StatusCode, string? ContentType, string? Location, byte[]? Body, DateTime CreatedAt);

    public Task<bool> AnyAdminTokenAsync(CancellationToken cancellationToken) =>
        ReadAsync(c => c.ExecuteScalarAsync<bool>("SELECT EXISTS (SELECT 1 FROM api_tokens WHERE app_id IS NULL)"), cancellationToken);

    public Task AddTokenAsync(ApiToken token, CancellationToken cancellationToken) =>
        WriteAsync((c, t) => c.ExecuteAsync(
            """
            INSERT INTO api_tokens (id, hash, app_id, expires_at, created_at, read_only, capabilities, session_id, name, prefix)
            VALUES (@Id, @Hash, @AppId, @ExpiresAt, @CreatedAt, @ReadOnly, @Capabilities::text[], @SessionId, @Name, @Prefix)
            """,
            new
            {
                token.Id,
                token.Hash,
                AppId = token.ApplicationId,
                ExpiresAt = Ts(token.ExpiresAt),
                CreatedAt = Ts(token.CreatedAt),
                token.ReadOnly,
                Capabilities = TextArray(token.Capabilities),
                token.SessionId,
                token.Name,
                token.Prefix,
            }, t), cancellationToken);

    // An expiry only ever moves earlier (a token expired once stays expired).
    public Task<bool> ExpireTokenAsync(string tokenId, DateTimeOffset at, CancellationToken cancellationToken) =>
        WriteAsync(async (c, t) => await c.ExecuteAsync(
            "UPDATE api_tokens SET expires_at = LEAST(COALESCE(expires_at, @at), @at) WHERE id = @tokenId",
            new { tokenId, at = Ts(at) }, t) == 1, cancellationToken);

    public Task<int> ExpireApplicationTokensAsync(string applicationId, IReadOnlyCollection<string>? sessionIds, DateTimeOffset at, CancellationToken cancellationToken) =>
        WriteAsync((c, t) => c.ExecuteAsync(
            """
            UPDATE api_tokens SET expires_at = LEAST(COALESCE(expires_at, @at), @at)
            WHERE app_id = @applicationId AND (@sessionIds::text[] IS NULL OR session_id = ANY (@sessionIds::text[]))
            """,
            new { applicationId, sessionIds = sessionIds?.ToArray(), at = Ts(at) }, t), cancellationToken);

    // By the current secret, or by the one a rotation replaced (its own, partial index). No cache: every request reads the
    // row, so a revocation or rotation on any node holds on every node from its commit.
    public Task<ApiToken?> FindTokenAsync(byte[] hash, CancellationToken cancellationToken) =>
        ReadAsync(async c => (await c.QueryFirstOrDefaultAsync<TokenRow>(
            $"""
            SELECT {TokenColumns}, FALSE AS previous FROM api_tokens WHERE hash = @hash
            UNION ALL
            SELECT {TokenColumns}, TRUE AS previous FROM api_tokens WHERE previous_hash = @hash
            LIMIT 1
            """, new { hash }))?.ToToken(), cancellationToken);

    public Task<IdempotencyRecord?> TryBeginIdempotentRequestAsync(IdempotencyRecord pending, DateTimeOffset expiredBefore, CancellationToken cancellationToken) =>
        WriteAsync(async (c, t) =>
        {
            await c.ExecuteAsync("DELETE FROM idempotency_keys WHERE caller = @Caller AND key = @Key AND created_at < @before",
                new { pending.Caller, pending.Key, before = Ts(expiredBefore) }, t);
            // A concurrent insert of the same key (on any node) makes this one wait for it to commit, then do nothing;
            // the SELECT below, a new statement, then sees the winner's row.
            var inserted = await c.ExecuteAsync(
                "INSERT INTO idempotency_keys (caller, key, fingerprint, created_at) VALUES (@Caller, @Key, @Fingerprint, @CreatedAt) ON CONFLICT DO NOTHING",
                new { pending.Caller, pending.Key, pending.Fingerprint, CreatedAt = Ts(pending.CreatedAt) }, t);
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
                CreatedAt = Time(row.CreatedAt),
            };
        }, cancellationToken);

    public Task CompleteIdempotentRequestAsync(IdempotencyRecord completed, CancellationToken cancellationToken) =>
        WriteAsync((c, t) => c.ExecuteAsync(
            "UPDATE idempotency_keys SET completed = TRUE, status_code = @StatusCode, content_type = @ContentType, location = @Location, body = @Body WHERE caller = @Caller AND key = @Key",
            new { completed.StatusCode, completed.ContentType, completed.Location, completed.Body, completed.Caller, completed.Key }, t), cancellationToken);

    public Task AbandonIdempotentRequestAsync(string caller, string key, CancellationToken cancellationToken) =>
        WriteAsync((c, t) => c.ExecuteAsync("DELETE FROM idempotency_keys WHERE caller = @caller AND key = @key AND NOT completed", new { caller, key }, t), cancellationToken);

    public Task<int> DeleteExpiredIdempotencyKeysAsync(DateTimeOffset olderThan, CancellationToken cancellationToken) =>
        WriteAsync((c, t) => c.ExecuteAsync("DELETE FROM idempotency_keys WHERE created_at < @before", new { before = Ts(olderThan) }, t), cancellationToken);
}
