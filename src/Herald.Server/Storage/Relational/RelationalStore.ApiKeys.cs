using System.Data.Common;
using Dapper;
using Herald.Server.Auth;

namespace Herald.Server.Storage.Relational;

internal abstract partial class RelationalStore<TConnection, TTime, TTimeArg, TList>
{
    /// <summary>
    /// What a read within a write appends to lock the rows it read until the write commits: nothing with SQLite, whose
    /// single writer runs each write alone; <c> FOR UPDATE</c> with PostgreSQL, where writers on several nodes meet.
    /// </summary>
    protected abstract string LockRead { get; }

    // A full-admin key that will go on working: the ones the last-admin rule keeps at least one of.
    protected const string LastingAdminKey = "name IS NOT NULL AND app_id IS NULL AND NOT read_only AND revoked_at IS NULL AND expires_at IS NULL";

    protected sealed record KeyState(string? AppId, bool ReadOnly, TTime? RevokedAt, TTime? ExpiresAt)
    {
        private KeyState()
            : this(null, false, null, null)
        {
        }
    }

    /// <summary>The state of the key <paramref name="keyId"/> within the write <paramref name="t"/>, locked (<see cref="LockRead"/>); null if there is none.</summary>
    protected Task<KeyState?> ReadKeyStateAsync(TConnection c, DbTransaction t, string keyId) =>
        c.QuerySingleOrDefaultAsync<KeyState>(
            $"SELECT app_id, read_only, revoked_at, expires_at FROM api_tokens WHERE id = @keyId AND name IS NOT NULL{LockRead}", new { keyId }, t);

    /// <summary>Revokes the key <paramref name="keyId"/> at <paramref name="at"/>, or has it expire then (if not earlier), within the write <paramref name="t"/>.</summary>
    protected async Task<ApiKeyChange> EndKeyAsync(TConnection c, DbTransaction t, string keyId, DateTimeOffset at, bool revoke)
    {
        await c.ExecuteAsync(
            revoke
                ? "UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, @at), previous_hash = NULL, previous_expires_at = NULL WHERE id = @keyId"
                : $"UPDATE api_tokens SET expires_at = {Least("COALESCE(expires_at, @at)", "@at")} WHERE id = @keyId",
            new { keyId, at = ToArg(at) }, t);
        return ApiKeyChange.Done;
    }

    public Task<Page<ApiToken>> ListApiKeysAsync(PageRequest page, CancellationToken cancellationToken) =>
        ReadAsync(async c =>
        {
            var (where, orderBy) = Keyset("id", page);
            var rows = await c.QueryAsync<TokenRow>(
                $"SELECT {TokenColumns}, FALSE AS previous FROM api_tokens WHERE {where} AND name IS NOT NULL {orderBy}",
                new { after = page.After, take = page.Limit + 1 });
            return ToPage(rows.Select(ToToken), page);
        }, cancellationToken);

    public Task<ApiToken?> GetApiKeyAsync(string keyId, CancellationToken cancellationToken) =>
        ReadAsync(async c => await c.QuerySingleOrDefaultAsync<TokenRow>(
            $"SELECT {TokenColumns}, FALSE AS previous FROM api_tokens WHERE id = @keyId AND name IS NOT NULL", new { keyId }) is { } row
            ? ToToken(row)
            : null,
            cancellationToken);

    public virtual Task<ApiKeyChange> RotateApiKeyAsync(
        string keyId, byte[] hash, string prefix, DateTimeOffset? previousValidUntil, DateTimeOffset now, CancellationToken cancellationToken) =>
        TransactAsync(async (c, t) =>
        {
            var key = await ReadKeyStateAsync(c, t, keyId);
            if (key is null)
            {
                return ApiKeyChange.NotFound;
            }

            if (key.RevokedAt is not null || (ToTime(key.ExpiresAt) is { } expiry && expiry <= now))
            {
                return ApiKeyChange.Inactive;
            }

            // Every right-hand side reads the row as it was: the old secret moves to previous_hash, the new one takes its place.
            await c.ExecuteAsync(
                """
                UPDATE api_tokens SET previous_hash = CASE WHEN @until IS NULL THEN NULL ELSE hash END, previous_expires_at = @until,
                    hash = @hash, prefix = @prefix
                WHERE id = @keyId
                """,
                new { keyId, hash, prefix, until = ToArg(previousValidUntil) }, t);
            return ApiKeyChange.Done;
        }, cancellationToken);
}
