using Dapper;
using Herald.Server.Auth;
using Herald.Server.Idempotency;

namespace Herald.Server.Storage.Sqlite;

internal sealed partial class SqliteStore
{
    private sealed record TokenRow(
        string Id, byte[] Hash, string? AppId, long? ExpiresAt, long CreatedAt, long ReadOnly, string? Capabilities, string? SessionId,
        string? Name, string? Prefix, long? RevokedAt, long? LastUsedAt, long? PreviousExpiresAt, long Previous)
    {
        /// <summary>The token; when the presented secret was the one a rotation replaced, it expires with that secret's grace.</summary>
        public ApiToken ToToken()
        {
            var expiresAt = ExpiresAt is { } e ? Time(e) : (DateTimeOffset?)null;
            if (Previous != 0)
            {
                var previousUntil = PreviousExpiresAt is { } p ? Time(p) : DateTimeOffset.MinValue;
                expiresAt = expiresAt is { } own && own < previousUntil ? own : previousUntil;
            }

            return new ApiToken
            {
                Id = Id,
                Hash = Hash,
                ApplicationId = AppId,
                ExpiresAt = expiresAt,
                CreatedAt = Time(CreatedAt),
                ReadOnly = ReadOnly != 0,
                Capabilities = StorageJson.List(Capabilities),
                SessionId = SessionId,
                Name = Name,
                Prefix = Prefix,
                RevokedAt = RevokedAt is { } r ? Time(r) : null,
                LastUsedAt = LastUsedAt is { } u ? Time(u) : null,
                PreviousSecretExpiresAt = PreviousExpiresAt is { } pe ? Time(pe) : null,
            };
        }
    }

    private const string TokenColumns =
        "id, hash, app_id, expires_at, created_at, read_only, capabilities, session_id, name, prefix, revoked_at, last_used_at, previous_expires_at";

    private sealed record IdempotencyRow(string Caller, string Key, byte[] Fingerprint, long Completed, long StatusCode, string? ContentType, string? Location, byte[]? Body, long CreatedAt);

    public Task<bool> AnyAdminTokenAsync(CancellationToken cancellationToken) =>
        ReadAsync(c => c.ExecuteScalarAsync<bool>("SELECT EXISTS (SELECT 1 FROM api_tokens WHERE app_id IS NULL)"), cancellationToken);

    public Task AddTokenAsync(ApiToken token, CancellationToken cancellationToken) =>
        WriteAsync((c, t) => c.ExecuteAsync(
            """
            INSERT INTO api_tokens (id, hash, app_id, expires_at, created_at, read_only, capabilities, session_id, name, prefix)
            VALUES (@Id, @Hash, @AppId, @ExpiresAt, @CreatedAt, @ReadOnly, @Capabilities, @SessionId, @Name, @Prefix)
            """,
            new
            {
                token.Id,
                token.Hash,
                AppId = token.ApplicationId,
                ExpiresAt = Ms(token.ExpiresAt),
                CreatedAt = Ms(token.CreatedAt),
                token.ReadOnly,
                Capabilities = StorageJson.List(token.Capabilities),
                token.SessionId,
                token.Name,
                token.Prefix,
            }, t), cancellationToken);

    // An expiry only ever moves earlier (a token expired once stays expired).
    public Task<bool> ExpireTokenAsync(string tokenId, DateTimeOffset at, CancellationToken cancellationToken) =>
        Invalidating(WriteAsync(async (c, t) => await c.ExecuteAsync(
            "UPDATE api_tokens SET expires_at = MIN(COALESCE(expires_at, @at), @at) WHERE id = @tokenId",
            new { tokenId, at = Ms(at) }, t) == 1, cancellationToken), _tokens);

    public Task<int> ExpireApplicationTokensAsync(string applicationId, IReadOnlyCollection<string>? sessionIds, DateTimeOffset at, CancellationToken cancellationToken) =>
        Invalidating(WriteAsync((c, t) => c.ExecuteAsync(
            sessionIds is null
                ? "UPDATE api_tokens SET expires_at = MIN(COALESCE(expires_at, @at), @at) WHERE app_id = @applicationId"
                : "UPDATE api_tokens SET expires_at = MIN(COALESCE(expires_at, @at), @at) WHERE app_id = @applicationId AND session_id IN @sessionIds",
            new { applicationId, sessionIds, at = Ms(at) }, t), cancellationToken), _tokens);

    // By the current secret, or by the one a rotation replaced (its own, partial index).
    public Task<ApiToken?> FindTokenAsync(byte[] hash, CancellationToken cancellationToken) =>
        _tokens.GetAsync(Convert.ToHexString(hash), () => ReadAsync(c => Task.FromResult(c.One<TokenRow>(
            $"""
            SELECT {TokenColumns}, 0 AS previous FROM api_tokens WHERE hash = @hash
            UNION ALL
            SELECT {TokenColumns}, 1 AS previous FROM api_tokens WHERE previous_hash = @hash
            LIMIT 1
            """, new { hash })?.ToToken()), cancellationToken));

    public Task<IdempotencyRecord?> TryBeginIdempotentRequestAsync(IdempotencyRecord pending, DateTimeOffset expiredBefore, CancellationToken cancellationToken) =>
        WriteAsync(async (c, t) =>
        {
            var key = new { pending.Caller, pending.Key };
            await c.ExecuteAsync("DELETE FROM idempotency_keys WHERE caller = @Caller AND key = @Key AND created_at < @before",
                new { pending.Caller, pending.Key, before = Ms(expiredBefore) }, t);
            var inserted = await c.ExecuteAsync(
                "INSERT INTO idempotency_keys (caller, key, fingerprint, created_at) VALUES (@Caller, @Key, @Fingerprint, @CreatedAt) ON CONFLICT DO NOTHING",
                new { pending.Caller, pending.Key, pending.Fingerprint, CreatedAt = Ms(pending.CreatedAt) }, t);
            if (inserted == 1)
            {
                return null;
            }

            var row = await c.QuerySingleAsync<IdempotencyRow>("SELECT caller, key, fingerprint, completed, status_code, content_type, location, body, created_at FROM idempotency_keys WHERE caller = @Caller AND key = @Key", key, t);
            return new IdempotencyRecord
            {
                Caller = row.Caller,
                Key = row.Key,
                Fingerprint = row.Fingerprint,
                Completed = row.Completed != 0,
                StatusCode = (int)row.StatusCode,
                ContentType = row.ContentType,
                Location = row.Location,
                Body = row.Body,
                CreatedAt = Time(row.CreatedAt),
            };
        }, cancellationToken);

    public Task CompleteIdempotentRequestAsync(IdempotencyRecord completed, CancellationToken cancellationToken) =>
        WriteAsync((c, t) => c.ExecuteAsync(
            "UPDATE idempotency_keys SET completed = 1, status_code = @StatusCode, content_type = @ContentType, location = @Location, body = @Body WHERE caller = @Caller AND key = @Key",
            new { completed.StatusCode, completed.ContentType, completed.Location, completed.Body, completed.Caller, completed.Key }, t), cancellationToken);

    public Task AbandonIdempotentRequestAsync(string caller, string key, CancellationToken cancellationToken) =>
        WriteAsync((c, t) => c.ExecuteAsync("DELETE FROM idempotency_keys WHERE caller = @caller AND key = @key AND completed = 0", new { caller, key }, t), cancellationToken);

    public Task<int> DeleteExpiredIdempotencyKeysAsync(DateTimeOffset olderThan, CancellationToken cancellationToken) =>
        WriteAsync((c, t) => c.ExecuteAsync("DELETE FROM idempotency_keys WHERE created_at < @before", new { before = Ms(olderThan) }, t), cancellationToken);
}
