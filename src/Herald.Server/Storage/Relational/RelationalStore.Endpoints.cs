using System.Data.Common;
using Dapper;
using Herald.Server.Endpoints;
using Herald.Server.Secrets;

namespace Herald.Server.Storage.Relational;

internal abstract partial class RelationalStore<TConnection, TTime, TTimeArg, TList>
{
    /// <summary>Seals endpoint headers and secrets at rest.</summary>
    protected abstract SecretSealer Sealer { get; }

    /// <summary>How many endpoints of each kind an application may have.</summary>
    protected abstract CountLimits Limits { get; }

    /// <summary>
    /// How many rows of <paramref name="table"/> (a fixed name, never input) the application has, counted in the
    /// write's transaction so that count-then-insert cannot let two creations take the last place.
    /// </summary>
    protected abstract Task<long> CountTowardLimitAsync(TConnection c, DbTransaction t, string table, string applicationId);

    /// <summary>The column that orders an endpoint's secrets created at the same millisecond by insertion.</summary>
    protected abstract string SecretSequence { get; }

    /// <summary>
    /// Makes rotations of one endpoint's secret take turns, for <see cref="RotateEndpointSecretAsync"/> reads the
    /// stored keys, then writes.
    /// </summary>
    protected abstract Task LockForRotationAsync(TConnection c, DbTransaction t, string endpointId);

    protected sealed record EndpointRow(
        string Id, string AppId, string? Uid, string Url, string Description, TList? EventTypes, TList? Channels,
        int? ThrottleRate, bool Disabled, string Metadata, string Headers, TTime CreatedAt, TTime UpdatedAt, long? TimeoutMs, TTime? FailingSince, int Version,
        string? Transformation, bool TransformationEnabled, TTime? TransformationUpdatedAt,
        string? VerificationMethod, string? VerificationStatus, TTime? VerificationStartedAt, TTime? VerificationVerifiedAt, string? VerificationLastError,
        TTime? VerificationNextCheckAt, string? VerificationTokenHash, bool VerificationAwaitingCallback, int? VerificationAllowedRate, bool Fifo, bool FifoStop, TTime? FifoStoppedAt)
    {
        private EndpointRow()
            : this("", "", null, "", "", null, null, null, false, "{}", "{}", default, default, null, null, 1, null, false, null,
                null, null, null, null, null, null, null, false, null, false, true, null)
        {
        }
    }

    protected HeraldEndpoint ToEndpoint(EndpointRow r) => new()
    {
        Id = r.Id,
        ApplicationId = r.AppId,
        Uid = r.Uid,
        Url = r.Url,
        Description = r.Description,
        EventTypes = ToList(r.EventTypes),
        Channels = ToList(r.Channels),
        ThrottleRate = r.ThrottleRate,
        Disabled = r.Disabled,
        Metadata = StorageJson.Map(r.Metadata),
        Headers = StorageJson.Map(Sealer.Open(r.Headers, SealedField.EndpointHeaders(r.Id))),
        Timeout = r.TimeoutMs is { } t ? TimeSpan.FromMilliseconds(t) : null,
        FailingSince = ToTime(r.FailingSince),
        CreatedAt = ToTime(r.CreatedAt),
        UpdatedAt = ToTime(r.UpdatedAt),
        Version = r.Version,
        Transformation = r.Transformation is null && !r.TransformationEnabled ? null
            : new EndpointTransformation(r.Transformation, r.TransformationEnabled, ToTime(r.TransformationUpdatedAt)),
        Fifo = r.Fifo ? new EndpointFifo(r.FifoStop ? FifoExhaustion.Stop : FifoExhaustion.Skip, ToTime(r.FifoStoppedAt)) : null,
        Verification = r.VerificationStatus is null ? null : new EndpointVerification
        {
            Method = EndpointVerification.ParseMethod(r.VerificationMethod) ?? VerificationMethod.Handshake,
            Status = EndpointVerification.ParseStatus(r.VerificationStatus),
            StartedAt = ToTime(r.VerificationStartedAt ?? r.CreatedAt),
            VerifiedAt = ToTime(r.VerificationVerifiedAt),
            LastError = r.VerificationLastError,
            NextCheckAt = ToTime(r.VerificationNextCheckAt),
            CallbackTokenHash = r.VerificationTokenHash,
            AwaitingCallback = r.VerificationAwaitingCallback,
            AllowedRate = r.VerificationAllowedRate,
        },
    };

    private sealed record SecretRow(string Key, TTime CreatedAt, TTime? ExpiresAt)
    {
        private SecretRow()
            : this("", default, null)
        {
        }
    }

    protected const string EndpointColumns =
        "id, app_id, uid, url, description, event_types, channels, throttle_rate, disabled, metadata, headers, created_at, updated_at, timeout_ms, failing_since, version, transformation, transformation_enabled, transformation_updated_at, " + VerificationColumns + ", fifo, fifo_stop, fifo_stopped_at";

    private const string VerificationColumns =
        "verification_method, verification_status, verification_started_at, verification_verified_at, verification_last_error, verification_next_check_at, verification_token_hash, verification_awaiting_callback, verification_allowed_rate";

    private const string VerificationValues =
        "@VerificationMethod, @VerificationStatus, @VerificationStartedAt, @VerificationVerifiedAt, @VerificationLastError, @VerificationNextCheckAt, @VerificationTokenHash, @VerificationAwaitingCallback, @VerificationAllowedRate";

    private object VerificationParameters(EndpointVerification? v) => new
    {
        VerificationMethod = v is null ? null : EndpointVerification.MethodName(v.Method),
        VerificationStatus = v is null ? null : EndpointVerification.StatusName(v.Status),
        VerificationStartedAt = ToArg(v?.StartedAt),
        VerificationVerifiedAt = ToArg(v?.VerifiedAt),
        VerificationLastError = v?.LastError,
        VerificationNextCheckAt = ToArg(v?.NextCheckAt),
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
        EventTypes = StoredList(e.EventTypes),
        Channels = StoredList(e.Channels),
        e.ThrottleRate,
        e.Disabled,
        Metadata = StorageJson.Map(e.Metadata),
        Headers = Sealer.Seal(StorageJson.Map(e.Headers), SealedField.EndpointHeaders(e.Id)),
        CreatedAt = ToArg(e.CreatedAt),
        UpdatedAt = ToArg(e.UpdatedAt),
        TimeoutMs = (long?)e.Timeout?.TotalMilliseconds,
        e.Version,
        Fifo = e.Fifo is not null,
        FifoStop = e.Fifo?.OnExhaustion != FifoExhaustion.Skip,
    };

    public Task<HeraldEndpoint?> GetEndpointAsync(string applicationId, string idOrUid, CancellationToken cancellationToken) =>
        ReadAsync(async c => (await c.QuerySingleOrDefaultAsync<EndpointRow>(
            $"SELECT {EndpointColumns} FROM endpoints WHERE app_id = @applicationId AND (id = @idOrUid OR uid = @idOrUid) LIMIT 1",
            new { applicationId, idOrUid })) is { } row ? ToEndpoint(row) : null, cancellationToken);

    public Task<Page<HeraldEndpoint>> ListEndpointsAsync(string applicationId, PageRequest page, CancellationToken cancellationToken) =>
        ReadAsync(async c =>
        {
            var (where, orderBy) = Keyset("id", page);
            var rows = await c.QueryAsync<EndpointRow>(
                $"SELECT {EndpointColumns} FROM endpoints WHERE app_id = @applicationId AND {where} {orderBy}",
                new { applicationId, after = page.After, take = page.Limit + 1 });
            return ToPage(rows.Select(ToEndpoint), page);
        }, cancellationToken);

    public Task CreateEndpointAsync(HeraldEndpoint endpoint, EndpointSecretKey secret, CancellationToken cancellationToken) =>
        TransactAsync(async (c, t) =>
        {
            if (Limits.EndpointsPerApplication > 0
                && await CountTowardLimitAsync(c, t, "endpoints", endpoint.ApplicationId) >= Limits.EndpointsPerApplication)
            {
                throw CountLimitExceededException.Endpoints(Limits.EndpointsPerApplication);
            }

            await c.ExecuteAsync(
                $"""
                INSERT INTO endpoints ({EndpointColumns}) VALUES
                (@Id, @AppId, @Uid, @Url, @Description, {ListValue("@EventTypes")}, {ListValue("@Channels")}, @ThrottleRate, @Disabled, @Metadata, @Headers,
                 @CreatedAt, @UpdatedAt, @TimeoutMs, NULL, @Version, NULL, FALSE, NULL, {VerificationValues}, @Fifo, @FifoStop, NULL)
                """,
                WithVerification(EndpointParameters(endpoint), endpoint.Verification), t);
            await c.ExecuteAsync(
                "INSERT INTO endpoint_secrets (endpoint_id, key, created_at) VALUES (@id, @Key, @createdAt)",
                new { id = endpoint.Id, Key = SealSecret(endpoint.Id, secret.Key), createdAt = ToArg(secret.CreatedAt) }, t);
            return true;
        }, cancellationToken);

    public Task UpdateEndpointAsync(HeraldEndpoint endpoint, CancellationToken cancellationToken) =>
        TransactAsync(async (c, t) =>
        {
            // Re-enabling an endpoint resumes its parked deliveries and forgets its failure streak.
            await c.ExecuteAsync(
                """
                UPDATE deliveries SET next_attempt_at = @now, updated_at = @now
                WHERE endpoint_id = @Id AND status = 1 AND next_attempt_at IS NULL AND NOT @Disabled
                  AND EXISTS (SELECT 1 FROM endpoints WHERE id = @Id AND disabled)
                """,
                new { endpoint.Id, endpoint.Disabled, now = ToArg(endpoint.UpdatedAt) }, t);
            return await c.ExecuteAsync(
                $"""
                UPDATE endpoints SET failing_since = CASE WHEN disabled AND NOT @Disabled THEN NULL ELSE failing_since END, uid = @Uid, url = @Url,
                    description = @Description, event_types = {ListValue("@EventTypes")}, channels = {ListValue("@Channels")}, throttle_rate = @ThrottleRate,
                    disabled = @Disabled, metadata = @Metadata, headers = @Headers, updated_at = @UpdatedAt, timeout_ms = @TimeoutMs,
                    version = @Version, fifo = @Fifo, fifo_stop = @FifoStop,
                    fifo_stopped_at = CASE WHEN @Fifo THEN fifo_stopped_at END
                WHERE id = @Id AND app_id = @AppId
                """,
                EndpointParameters(endpoint), t);
        }, cancellationToken);

    public Task<bool> SetEndpointTransformationAsync(string endpointId, EndpointTransformation transformation, CancellationToken cancellationToken) =>
        TransactAsync(async (c, t) => await c.ExecuteAsync(
            "UPDATE endpoints SET transformation = @Code, transformation_enabled = @Enabled, transformation_updated_at = @UpdatedAt WHERE id = @endpointId",
            new { endpointId, transformation.Code, transformation.Enabled, UpdatedAt = ToArg(transformation.UpdatedAt) }, t) == 1,
            cancellationToken);

    public Task<bool> DeleteEndpointAsync(string applicationId, string endpointId, CancellationToken cancellationToken) =>
        TransactAsync(async (c, t) => await c.ExecuteAsync(
            "DELETE FROM endpoints WHERE app_id = @applicationId AND id = @endpointId", new { applicationId, endpointId }, t) == 1, cancellationToken);

    public Task<IReadOnlyList<EndpointSecretKey>> GetEndpointSecretsAsync(string endpointId, DateTimeOffset now, CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<EndpointSecretKey>>(async c =>
        {
            var rows = await c.QueryAsync<SecretRow>(
                $"""
                SELECT key, created_at, expires_at FROM endpoint_secrets
                WHERE endpoint_id = @endpointId AND (expires_at IS NULL OR expires_at > @now)
                ORDER BY created_at DESC, {SecretSequence} DESC
                """,
                new { endpointId, now = ToArg(now) });
            return rows.Select(r => new EndpointSecretKey(OpenSecret(endpointId, r.Key), ToTime(r.CreatedAt), ToTime(r.ExpiresAt))).ToList();
        }, cancellationToken);

    private sealed record StoredSecretRow(long Seq, string Key)
    {
        private StoredSecretRow()
            : this(0, "")
        {
        }
    }

    public Task RotateEndpointSecretAsync(string endpointId, EndpointSecretKey newKey, DateTimeOffset previousValidUntil, CancellationToken cancellationToken) =>
        TransactAsync(async (c, t) =>
        {
            var now = ToArg(newKey.CreatedAt);
            await LockForRotationAsync(c, t, endpointId);
            await c.ExecuteAsync(
                "DELETE FROM endpoint_secrets WHERE endpoint_id = @endpointId AND expires_at IS NOT NULL AND expires_at <= @now", new { endpointId, now }, t);
            await c.ExecuteAsync(
                $"UPDATE endpoint_secrets SET expires_at = {Least("COALESCE(expires_at, @until)", "@until")} WHERE endpoint_id = @endpointId",
                new { endpointId, until = ToArg(previousValidUntil) }, t);
            // Re-supplying a key that is still on file makes it current again rather than failing. Sealed values differ at
            // every sealing (random nonce), so the match is made on the opened keys, while no other rotation of the
            // endpoint runs (LockForRotationAsync).
            var stored = await c.QueryAsync<StoredSecretRow>(
                $"SELECT {SecretSequence} AS seq, key FROM endpoint_secrets WHERE endpoint_id = @endpointId", new { endpointId }, t);
            var same = stored.FirstOrDefault(r => SameKey(OpenSecret(endpointId, r.Key), newKey.Key));
            return await c.ExecuteAsync(
                same is null
                    ? "INSERT INTO endpoint_secrets (endpoint_id, key, created_at) VALUES (@endpointId, @Key, @now)"
                    : $"UPDATE endpoint_secrets SET key = @Key, created_at = @now, expires_at = NULL WHERE endpoint_id = @endpointId AND {SecretSequence} = @seq",
                new { endpointId, Key = SealSecret(endpointId, newKey.Key), now, seq = same?.Seq }, t);
        }, cancellationToken);

    private string SealSecret(string endpointId, string key) => Sealer.Seal(key, SealedField.EndpointSecret(endpointId));

    protected string OpenSecret(string endpointId, string stored) => Sealer.Open(stored, SealedField.EndpointSecret(endpointId));

    private static bool SameKey(string a, string b) =>
        System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(System.Text.Encoding.UTF8.GetBytes(a), System.Text.Encoding.UTF8.GetBytes(b));
}
