using Dapper;
using Herald.Server.Endpoints;
using Herald.Server.Secrets;

namespace Herald.Server.Storage.Postgres;

internal sealed partial class PostgresStore
{
    private sealed record EndpointRow(
        string Id, string AppId, string? Uid, string Url, string Description, string[]? EventTypes, string[]? Channels,
        int? ThrottleRate, bool Disabled, string Metadata, string Headers, DateTime CreatedAt, DateTime UpdatedAt, long? TimeoutMs, DateTime? FailingSince, int Version,
        string? Transformation, bool TransformationEnabled, DateTime? TransformationUpdatedAt,
        string? VerificationMethod, string? VerificationStatus, DateTime? VerificationStartedAt, DateTime? VerificationVerifiedAt, string? VerificationLastError,
        DateTime? VerificationNextCheckAt, string? VerificationTokenHash, bool VerificationAwaitingCallback, int? VerificationAllowedRate, bool Fifo, bool FifoStop, DateTime? FifoStoppedAt)
    {
        // Npgsql reports text[] columns as System.Array, which matches no positional constructor: Dapper then builds
        // the row through this one and its init setters.
        private EndpointRow()
            : this("", "", null, "", "", null, null, null, false, "{}", "{}", default, default, null, null, 1, null, false, null,
                null, null, null, null, null, null, null, false, null, false, true, null)
        {
        }

        public HeraldEndpoint ToEndpoint(SecretSealer sealer) => new()
        {
            Id = Id,
            ApplicationId = AppId,
            Uid = Uid,
            Url = Url,
            Description = Description,
            EventTypes = EventTypes,
            Channels = Channels,
            ThrottleRate = ThrottleRate,
            Disabled = Disabled,
            Metadata = StorageJson.Map(Metadata),
            Headers = StorageJson.Map(sealer.Open(Headers, SealedField.EndpointHeaders(Id))),
            Timeout = TimeoutMs is { } t ? TimeSpan.FromMilliseconds(t) : null,
            FailingSince = Time(FailingSince),
            CreatedAt = Time(CreatedAt),
            UpdatedAt = Time(UpdatedAt),
            Version = Version,
            Transformation = Transformation is null && !TransformationEnabled ? null
                : new EndpointTransformation(Transformation, TransformationEnabled, Time(TransformationUpdatedAt)),
            Fifo = Fifo ? new EndpointFifo(FifoStop ? FifoExhaustion.Stop : FifoExhaustion.Skip, Time(FifoStoppedAt)) : null,
            Verification = VerificationStatus is null ? null : new EndpointVerification
            {
                Method = EndpointVerification.ParseMethod(VerificationMethod) ?? Endpoints.VerificationMethod.Handshake,
                Status = EndpointVerification.ParseStatus(VerificationStatus),
                StartedAt = Time(VerificationStartedAt ?? CreatedAt),
                VerifiedAt = Time(VerificationVerifiedAt),
                LastError = VerificationLastError,
                NextCheckAt = Time(VerificationNextCheckAt),
                CallbackTokenHash = VerificationTokenHash,
                AwaitingCallback = VerificationAwaitingCallback,
                AllowedRate = VerificationAllowedRate,
            },
        };
    }

    private sealed record SecretRow(string Key, DateTime CreatedAt, DateTime? ExpiresAt);

    private sealed record StoredSecretRow(long Seq, string Key);

    private const string EndpointColumns =
        "id, app_id, uid, url, description, event_types, channels, throttle_rate, disabled, metadata, headers, created_at, updated_at, timeout_ms, failing_since, version, transformation, transformation_enabled, transformation_updated_at, " + VerificationColumns + ", fifo, fifo_stop, fifo_stopped_at";

    private const string VerificationColumns =
        "verification_method, verification_status, verification_started_at, verification_verified_at, verification_last_error, verification_next_check_at, verification_token_hash, verification_awaiting_callback, verification_allowed_rate";

    private const string VerificationValues =
        "@VerificationMethod, @VerificationStatus, @VerificationStartedAt, @VerificationVerifiedAt, @VerificationLastError, @VerificationNextCheckAt, @VerificationTokenHash, @VerificationAwaitingCallback, @VerificationAllowedRate";

    private static object VerificationParameters(EndpointVerification? v) => new
    {
        VerificationMethod = v is null ? null : EndpointVerification.MethodName(v.Method),
        VerificationStatus = v is null ? null : EndpointVerification.StatusName(v.Status),
        VerificationStartedAt = Ts(v?.StartedAt),
        VerificationVerifiedAt = Ts(v?.VerifiedAt),
        VerificationLastError = v?.LastError,
        VerificationNextCheckAt = Ts(v?.NextCheckAt),
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
        EventTypes = TextArray(e.EventTypes),
        Channels = TextArray(e.Channels),
        e.ThrottleRate,
        e.Disabled,
        Metadata = StorageJson.Map(e.Metadata),
        Headers = _sealer.Seal(StorageJson.Map(e.Headers), SealedField.EndpointHeaders(e.Id)),
        CreatedAt = Ts(e.CreatedAt),
        UpdatedAt = Ts(e.UpdatedAt),
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
            if (_limits.EndpointsPerApplication > 0
                && await CountLockedAsync(c, t, "endpoints", endpoint.ApplicationId) >= _limits.EndpointsPerApplication)
            {
                throw CountLimitExceededException.Endpoints(_limits.EndpointsPerApplication);
            }

            await c.ExecuteAsync(
                $"""
                INSERT INTO endpoints ({EndpointColumns}) VALUES
                (@Id, @AppId, @Uid, @Url, @Description, @EventTypes::text[], @Channels::text[], @ThrottleRate, @Disabled, @Metadata, @Headers,
                 @CreatedAt, @UpdatedAt, @TimeoutMs, NULL, @Version, NULL, FALSE, NULL, {VerificationValues}, @Fifo, @FifoStop, NULL)
                """,
                WithVerification(EndpointParameters(endpoint), endpoint.Verification), t);
            await c.ExecuteAsync(
                "INSERT INTO endpoint_secrets (endpoint_id, key, created_at) VALUES (@id, @Key, @createdAt)",
                new { id = endpoint.Id, Key = SealSecret(endpoint.Id, secret.Key), createdAt = Ts(secret.CreatedAt) }, t);
        }, cancellationToken);

    public Task UpdateEndpointAsync(HeraldEndpoint endpoint, CancellationToken cancellationToken) =>
        WriteAsync(async (c, t) =>
        {
            // Re-enabling an endpoint resumes its parked deliveries and forgets its failure streak.
            await c.ExecuteAsync(
                """
                UPDATE deliveries SET next_attempt_at = @now, updated_at = @now
                WHERE endpoint_id = @Id AND status = 1 AND next_attempt_at IS NULL AND NOT @Disabled
                  AND EXISTS (SELECT 1 FROM endpoints WHERE id = @Id AND disabled)
                """,
                new { endpoint.Id, endpoint.Disabled, now = Ts(endpoint.UpdatedAt) }, t);
            await c.ExecuteAsync(
                """
                UPDATE endpoints SET failing_since = CASE WHEN disabled AND NOT @Disabled THEN NULL ELSE failing_since END, uid = @Uid, url = @Url,
                    description = @Description, event_types = @EventTypes::text[], channels = @Channels::text[], throttle_rate = @ThrottleRate,
                    disabled = @Disabled, metadata = @Metadata, headers = @Headers, updated_at = @UpdatedAt, timeout_ms = @TimeoutMs,
                    version = @Version, fifo = @Fifo, fifo_stop = @FifoStop,
                    fifo_stopped_at = CASE WHEN @Fifo THEN fifo_stopped_at END
                WHERE id = @Id AND app_id = @AppId
                """,
                EndpointParameters(endpoint), t);
        }, cancellationToken);

    public Task<bool> SetEndpointTransformationAsync(string endpointId, EndpointTransformation transformation, CancellationToken cancellationToken) =>
        WriteAsync(async (c, t) => await c.ExecuteAsync(
            "UPDATE endpoints SET transformation = @Code, transformation_enabled = @Enabled, transformation_updated_at = @UpdatedAt WHERE id = @endpointId",
            new { endpointId, transformation.Code, transformation.Enabled, UpdatedAt = Ts(transformation.UpdatedAt) }, t) == 1,
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
                ORDER BY created_at DESC, seq DESC
                """,
                new { endpointId, now = Ts(now) });
            return rows.Select(r => new EndpointSecretKey(OpenSecret(endpointId, r.Key), Time(r.CreatedAt), Time(r.ExpiresAt))).ToList();
        }, cancellationToken);

    public Task RotateEndpointSecretAsync(string endpointId, EndpointSecretKey newKey, DateTimeOffset previousValidUntil, CancellationToken cancellationToken) =>
        WriteAsync(async (c, t) =>
        {
            var now = Ts(newKey.CreatedAt);
            // Rotations of one endpoint on several nodes take turns: the match below reads, then writes.
            await c.ExecuteAsync("SELECT 1 FROM endpoints WHERE id = @endpointId FOR UPDATE", new { endpointId }, t);
            await c.ExecuteAsync(
                "DELETE FROM endpoint_secrets WHERE endpoint_id = @endpointId AND expires_at IS NOT NULL AND expires_at <= @now", new { endpointId, now }, t);
            await c.ExecuteAsync(
                "UPDATE endpoint_secrets SET expires_at = LEAST(COALESCE(expires_at, @until), @until) WHERE endpoint_id = @endpointId",
                new { endpointId, until = Ts(previousValidUntil) }, t);
            // Re-supplying a key that is still on file makes it current again rather than failing. Sealed values differ at
            // every sealing (random nonce), so the match is made on the opened keys, under the endpoint's row lock.
            var stored = await c.QueryAsync<StoredSecretRow>("SELECT seq, key FROM endpoint_secrets WHERE endpoint_id = @endpointId", new { endpointId }, t);
            var same = stored.FirstOrDefault(r => SameKey(OpenSecret(endpointId, r.Key), newKey.Key));
            await c.ExecuteAsync(
                same is null
                    ? "INSERT INTO endpoint_secrets (endpoint_id, key, created_at) VALUES (@endpointId, @Key, @now)"
                    : "UPDATE endpoint_secrets SET key = @Key, created_at = @now, expires_at = NULL WHERE endpoint_id = @endpointId AND seq = @seq",
                new { endpointId, Key = SealSecret(endpointId, newKey.Key), now, seq = same?.Seq }, t);
        }, cancellationToken);

    private string SealSecret(string endpointId, string key) => _sealer.Seal(key, SealedField.EndpointSecret(endpointId));

    private string OpenSecret(string endpointId, string stored) => _sealer.Open(stored, SealedField.EndpointSecret(endpointId));

    private static bool SameKey(string a, string b) =>
        System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(System.Text.Encoding.UTF8.GetBytes(a), System.Text.Encoding.UTF8.GetBytes(b));
}
