using Dapper;
using Herald.Server.Endpoints;
using Herald.Server.Secrets;

namespace Herald.Server.Storage.Sqlite;

internal sealed partial class SqliteStore
{
    private sealed record EndpointRow(
        string Id, string AppId, string? Uid, string Url, string Description, string? EventTypes, string? Channels,
        long? ThrottleRate, long Disabled, string Metadata, string Headers, long CreatedAt, long UpdatedAt, long? TimeoutMs, long? FailingSince, long Version,
        string? Transformation, long TransformationEnabled, long? TransformationUpdatedAt,
        string? VerificationMethod, string? VerificationStatus, long? VerificationStartedAt, long? VerificationVerifiedAt, string? VerificationLastError,
        long? VerificationNextCheckAt, string? VerificationTokenHash, long VerificationAwaitingCallback, long? VerificationAllowedRate, long Fifo, long FifoStop, long? FifoStoppedAt)
    {
        public HeraldEndpoint ToEndpoint(SecretSealer sealer) => new()
        {
            Id = Id,
            ApplicationId = AppId,
            Uid = Uid,
            Url = Url,
            Description = Description,
            EventTypes = StorageJson.List(EventTypes),
            Channels = StorageJson.List(Channels),
            ThrottleRate = (int?)ThrottleRate,
            Disabled = Disabled != 0,
            Metadata = StorageJson.Map(Metadata),
            Headers = StorageJson.Map(sealer.Open(Headers, SealedField.EndpointHeaders(Id))),
            Timeout = TimeoutMs is { } t ? TimeSpan.FromMilliseconds(t) : null,
            FailingSince = FailingSince is { } f ? Time(f) : null,
            CreatedAt = Time(CreatedAt),
            UpdatedAt = Time(UpdatedAt),
            Version = (int)Version,
            Transformation = Transformation is null && TransformationEnabled == 0 ? null
                : new EndpointTransformation(Transformation, TransformationEnabled != 0, TransformationUpdatedAt is { } u ? Time(u) : null),
            Fifo = Fifo == 0 ? null : new EndpointFifo(FifoStop != 0 ? FifoExhaustion.Stop : FifoExhaustion.Skip, FifoStoppedAt is { } s ? Time(s) : null),
            Verification = VerificationStatus is null ? null : new EndpointVerification
            {
                Method = EndpointVerification.ParseMethod(VerificationMethod) ?? Endpoints.VerificationMethod.Handshake,
                Status = EndpointVerification.ParseStatus(VerificationStatus),
                StartedAt = Time(VerificationStartedAt ?? CreatedAt),
                VerifiedAt = VerificationVerifiedAt is { } v ? Time(v) : null,
                LastError = VerificationLastError,
                NextCheckAt = VerificationNextCheckAt is { } n ? Time(n) : null,
                CallbackTokenHash = VerificationTokenHash,
                AwaitingCallback = VerificationAwaitingCallback != 0,
                AllowedRate = (int?)VerificationAllowedRate,
            },
        };
    }

    private sealed record SecretRow(string Key, long CreatedAt, long? ExpiresAt);

    private sealed record StoredSecretRow(long Rowid, string Key);

    private const string EndpointColumns = "id, app_id, uid, url, description, event_types, channels, throttle_rate, disabled, metadata, headers, created_at, updated_at, timeout_ms, failing_since, version, transformation, transformation_enabled, transformation_updated_at, " + VerificationColumns + ", fifo, fifo_stop, fifo_stopped_at";

    private const string VerificationColumns =
        "verification_method, verification_status, verification_started_at, verification_verified_at, verification_last_error, verification_next_check_at, verification_token_hash, verification_awaiting_callback, verification_allowed_rate";

    private const string VerificationValues =
        "@VerificationMethod, @VerificationStatus, @VerificationStartedAt, @VerificationVerifiedAt, @VerificationLastError, @VerificationNextCheckAt, @VerificationTokenHash, @VerificationAwaitingCallback, @VerificationAllowedRate";

    private static object VerificationParameters(EndpointVerification? v) => new
    {
        VerificationMethod = v is null ? null : EndpointVerification.MethodName(v.Method),
        VerificationStatus = v is null ? null : EndpointVerification.StatusName(v.Status),
        VerificationStartedAt = Ms(v?.StartedAt),
        VerificationVerifiedAt = Ms(v?.VerifiedAt),
        VerificationLastError = v?.LastError,
        VerificationNextCheckAt = Ms(v?.NextCheckAt),
        VerificationTokenHash = v?.CallbackTokenHash,
        VerificationAwaitingCallback = v?.AwaitingCallback ?? false,
        VerificationAllowedRate = v?.AllowedRate,
    };

    private object EndpointParameters(HeraldEndpoint e) => new
    {
        e.Id,
        AppId = e.ApplicationId,
        e.Uid,
        e.Url,
        e.Description,
        EventTypes = StorageJson.List(e.EventTypes),
        Channels = StorageJson.List(e.Channels),
        e.ThrottleRate,
        e.Disabled,
        Metadata = StorageJson.Map(e.Metadata),
        Headers = _sealer.Seal(StorageJson.Map(e.Headers), SealedField.EndpointHeaders(e.Id)),
        CreatedAt = Ms(e.CreatedAt),
        UpdatedAt = Ms(e.UpdatedAt),
        TimeoutMs = (long?)e.Timeout?.TotalMilliseconds,
        e.Version,
        Fifo = e.Fifo is not null,
        FifoStop = e.Fifo?.OnExhaustion != FifoExhaustion.Skip,
    };

    public Task<HeraldEndpoint?> GetEndpointAsync(string applicationId, string idOrUid, CancellationToken cancellationToken) =>
        ReadAsync(async c => (await c.QuerySingleOrDefaultAsync<EndpointRow>(
            $"SELECT {EndpointColumns} FROM endpoints WHERE app_id = @applicationId AND (id = @idOrUid OR uid = @idOrUid) LIMIT 1",
            new { applicationId, idOrUid }))?.ToEndpoint(_sealer), cancellationToken);

    public Task<Page<HeraldEndpoint>> ListEndpointsAsync(string applicationId, PageRequest page, CancellationToken cancellationToken) =>
        ReadAsync(async c =>
        {
            var (where, orderBy) = Keyset("id", page);
            var rows = await c.QueryAsync<EndpointRow>(
                $"SELECT {EndpointColumns} FROM endpoints WHERE app_id = @applicationId AND {where} {orderBy}",
                new { applicationId, after = page.After, take = page.Limit + 1 });
            return ToPage(rows.Select(r => r.ToEndpoint(_sealer)), page);
        }, cancellationToken);

    public Task CreateEndpointAsync(HeraldEndpoint endpoint, EndpointSecretKey secret, CancellationToken cancellationToken) =>
        WriteAsync(async (c, t) =>
        {
            // In the write's transaction: the single writer makes count-then-insert atomic.
            if (_limits.EndpointsPerApplication > 0
                && await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM endpoints WHERE app_id = @AppId", new { AppId = endpoint.ApplicationId }, t) >= _limits.EndpointsPerApplication)
            {
                throw CountLimitExceededException.Endpoints(_limits.EndpointsPerApplication);
            }

            await c.ExecuteAsync(
                $"""
                INSERT INTO endpoints ({EndpointColumns}) VALUES
                (@Id, @AppId, @Uid, @Url, @Description, @EventTypes, @Channels, @ThrottleRate, @Disabled, @Metadata, @Headers, @CreatedAt, @UpdatedAt, @TimeoutMs, NULL, @Version, NULL, 0, NULL, {VerificationValues}, @Fifo, @FifoStop, NULL)
                """,
                WithVerification(EndpointParameters(endpoint), endpoint.Verification), t);
            await c.ExecuteAsync(
                "INSERT INTO endpoint_secrets (endpoint_id, key, created_at) VALUES (@id, @Key, @createdAt)",
                new { id = endpoint.Id, Key = SealSecret(endpoint.Id, secret.Key), createdAt = Ms(secret.CreatedAt) }, t);
        }, cancellationToken);

    public Task UpdateEndpointAsync(HeraldEndpoint endpoint, CancellationToken cancellationToken) =>
        WriteAsync(async (c, t) =>
        {
            // Re-enabling an endpoint resumes its parked deliveries and forgets its failure streak.
            await c.ExecuteAsync(
                """
                UPDATE deliveries SET next_attempt_at = @now, updated_at = @now
                WHERE endpoint_id = @Id AND status = 1 AND next_attempt_at IS NULL AND @Disabled = 0
                  AND EXISTS (SELECT 1 FROM endpoints WHERE id = @Id AND disabled = 1)
                """,
                new { endpoint.Id, endpoint.Disabled, now = Ms(endpoint.UpdatedAt) }, t);
            await c.ExecuteAsync(
            """
            UPDATE endpoints SET failing_since = CASE WHEN disabled = 1 AND @Disabled = 0 THEN NULL ELSE failing_since END, uid = @Uid, url = @Url, description = @Description, event_types = @EventTypes, channels = @Channels,
                throttle_rate = @ThrottleRate, disabled = @Disabled, metadata = @Metadata, headers = @Headers, updated_at = @UpdatedAt,
                timeout_ms = @TimeoutMs, version = @Version, fifo = @Fifo, fifo_stop = @FifoStop,
                fifo_stopped_at = CASE WHEN @Fifo THEN fifo_stopped_at END
            WHERE id = @Id AND app_id = @AppId
            """,
            EndpointParameters(endpoint), t);
        }, cancellationToken);

    public Task<bool> SetEndpointTransformationAsync(string endpointId, EndpointTransformation transformation, CancellationToken cancellationToken) =>
        WriteAsync(async (c, t) => await c.ExecuteAsync(
            "UPDATE endpoints SET transformation = @Code, transformation_enabled = @Enabled, transformation_updated_at = @UpdatedAt WHERE id = @endpointId",
            new { endpointId, transformation.Code, transformation.Enabled, UpdatedAt = transformation.UpdatedAt is { } u ? Ms(u) : (long?)null }, t) == 1,
            cancellationToken);

    public Task<bool> DeleteEndpointAsync(string applicationId, string endpointId, CancellationToken cancellationToken) =>
        WriteAsync(async (c, t) => await c.ExecuteAsync(
            "DELETE FROM endpoints WHERE app_id = @applicationId AND id = @endpointId", new { applicationId, endpointId }, t) == 1, cancellationToken);

    public Task<IReadOnlyList<EndpointSecretKey>> GetEndpointSecretsAsync(string endpointId, DateTimeOffset now, CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<EndpointSecretKey>>(async c =>
        {
            var rows = await c.QueryAsync<SecretRow>(
                """
                SELECT key, created_at, expires_at FROM endpoint_secrets
                WHERE endpoint_id = @endpointId AND (expires_at IS NULL OR expires_at > @now)
                ORDER BY created_at DESC, rowid DESC
                """,
                new { endpointId, now = Ms(now) });
            return rows.Select(r => new EndpointSecretKey(OpenSecret(endpointId, r.Key), Time(r.CreatedAt), r.ExpiresAt is { } e ? Time(e) : null)).ToList();
        }, cancellationToken);

    public Task RotateEndpointSecretAsync(string endpointId, EndpointSecretKey newKey, DateTimeOffset previousValidUntil, CancellationToken cancellationToken) =>
        WriteAsync(async (c, t) =>
        {
            var now = Ms(newKey.CreatedAt);
            await c.ExecuteAsync("DELETE FROM endpoint_secrets WHERE endpoint_id = @endpointId AND expires_at IS NOT NULL AND expires_at <= @now", new { endpointId, now }, t);
            await c.ExecuteAsync(
                "UPDATE endpoint_secrets SET expires_at = MIN(COALESCE(expires_at, @until), @until) WHERE endpoint_id = @endpointId",
                new { endpointId, until = Ms(previousValidUntil) }, t);
            // Re-supplying a key that is still on file makes it current again rather than failing. Sealed values differ at
            // every sealing (random nonce), so the match is made on the opened keys, here in the one writer's transaction.
            var stored = await c.QueryAsync<StoredSecretRow>("SELECT rowid, key FROM endpoint_secrets WHERE endpoint_id = @endpointId", new { endpointId }, t);
            var same = stored.FirstOrDefault(r => SameKey(OpenSecret(endpointId, r.Key), newKey.Key));
            await c.ExecuteAsync(
                same is null
                    ? "INSERT INTO endpoint_secrets (endpoint_id, key, created_at) VALUES (@endpointId, @Key, @now)"
                    : "UPDATE endpoint_secrets SET key = @Key, created_at = @now, expires_at = NULL WHERE rowid = @rowid",
                new { endpointId, Key = SealSecret(endpointId, newKey.Key), now, rowid = same?.Rowid }, t);
        }, cancellationToken);

    private string SealSecret(string endpointId, string key) => _sealer.Seal(key, SealedField.EndpointSecret(endpointId));

    private string OpenSecret(string endpointId, string stored) => _sealer.Open(stored, SealedField.EndpointSecret(endpointId));

    private static bool SameKey(string a, string b) =>
        System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(System.Text.Encoding.UTF8.GetBytes(a), System.Text.Encoding.UTF8.GetBytes(b));
}
