using System.Text.Json.Nodes;
using Herald.Server.Delivery;
using Herald.Server.Diagnostics;
using Herald.Server.Storage;
using Microsoft.Extensions.Options;

namespace Herald.Server.Endpoints;

/// <summary>
/// Checks pending endpoint verifications (<see cref="EndpointVerificationChecks"/>) every Herald:Delivery:ScanInterval:
/// each due one is claimed in storage (so one node checks it), checked, and then verified (its held deliveries become
/// due), retried after VerificationRetryInterval, or — past VerificationGiveUpAfter — failed: its held deliveries fail,
/// the endpoint is disabled and the operator gets <c>endpoint.verification.failed</c> (and <c>endpoint.disabled</c>).
/// </summary>
internal sealed partial class EndpointVerifier(
    IVerificationStore store, IEndpointStore endpoints,
    EndpointVerificationChecks checks,
    OperationalWebhooks operational,
    IOptions<DeliveryOptions> options,
    TimeProvider time,
    ILogger<EndpointVerifier> logger) : BackgroundService
{
    public const string FailedEventType = "endpoint.verification.failed";
    private const int BatchSize = 16;

    /// <summary>How long a claimed check is this node's: longer than any check takes (its HTTP timeout is at most 30 s).</summary>
    private static readonly TimeSpan ClaimFor = TimeSpan.FromMinutes(2);

    public static void Register(IServiceCollection services)
    {
        services.AddSingleton<EndpointVerificationChecks>();
        services.AddSingleton<EndpointVerifier>();
        services.AddHostedService(sp => sp.GetRequiredService<EndpointVerifier>());
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await CheckDueAsync(stoppingToken);
                await Task.Delay(options.Value.ScanInterval, time, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                LogScanFailed(logger, e);
                await Task.Delay(options.Value.ScanInterval, time, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    /// <summary>Checks every verification that is due now; returns how many it checked.</summary>
    public async Task<int> CheckDueAsync(CancellationToken cancellationToken)
    {
        var checkedCount = 0;
        IReadOnlyList<HeraldEndpoint> due;
        do
        {
            var now = time.GetUtcNow();
            due = await store.ClaimDueVerificationsAsync(now, now + ClaimFor, BatchSize, cancellationToken);
            await Task.WhenAll(due.Select(e => CheckAsync(e, cancellationToken)));
            checkedCount += due.Count;
        }
        while (due.Count == BatchSize);
        return checkedCount;
    }

    private async Task CheckAsync(HeraldEndpoint endpoint, CancellationToken cancellationToken)
    {
        // As claimed: a state stored during the check (the handshake's callback token) keeps the claim.
        var verification = endpoint.Verification! with { NextCheckAt = time.GetUtcNow() + ClaimFor };
        var o = options.Value;
        var deadline = verification.StartedAt + o.VerificationGiveUpAfter;
        if (time.GetUtcNow() >= deadline)
        {
            await GiveUpAsync(endpoint, verification);
            return;
        }

        if (verification.AwaitingCallback || endpoint.Disabled)
        {
            // Nothing to ask: the receiver is to call back (or the endpoint is off); look again at the deadline.
            var wait = verification.AwaitingCallback ? deadline : Min(time.GetUtcNow() + o.VerificationRetryInterval, deadline);
            await SaveIfCurrentAsync(endpoint, verification with { NextCheckAt = wait });
            return;
        }

        VerificationCheck result;
        try
        {
            result = await checks.RunAsync(endpoint, verification, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogCheckFailed(logger, endpoint.Id, e);
            result = new VerificationCheck(false, false, "The check could not be made; it is tried again.");
        }

        var now = time.GetUtcNow();
        var current = await endpoints.GetEndpointAsync(endpoint.ApplicationId, endpoint.Id, cancellationToken);
        var after = result switch
        {
            { Verified: true } => verification with
            {
                Status = VerificationStatus.Verified,
                VerifiedAt = now,
                LastError = null,
                NextCheckAt = null,
                CallbackTokenHash = null,
                AwaitingCallback = false,
                AllowedRate = result.AllowedRate,
            },
            { AwaitingCallback: true } => verification with
            {
                LastError = null,
                NextCheckAt = deadline,
                AwaitingCallback = true,
                AllowedRate = result.AllowedRate,
                CallbackTokenHash = current?.Verification?.CallbackTokenHash,
            },
            _ => verification with
            {
                LastError = result.Error,
                NextCheckAt = Min(now + o.VerificationRetryInterval, deadline),
                CallbackTokenHash = current?.Verification?.CallbackTokenHash,
            },
        };
        await SaveIfCurrentAsync(endpoint, after, current);
        LogChecked(logger, endpoint.Id, EndpointVerification.MethodName(verification.Method), EndpointVerification.StatusName(after.Status), after.AwaitingCallback);
    }

    /// <summary>
    /// Stores the outcome of a check unless the endpoint's verification moved on meanwhile (the callback verified it,
    /// or a change or the verify route started a new round): that newer state wins.
    /// </summary>
    private async Task SaveIfCurrentAsync(HeraldEndpoint endpoint, EndpointVerification after, HeraldEndpoint? current = null)
    {
        current ??= await endpoints.GetEndpointAsync(endpoint.ApplicationId, endpoint.Id, CancellationToken.None);
        if (current?.Verification is not { Status: VerificationStatus.Pending } now || now.StartedAt != endpoint.Verification!.StartedAt)
        {
            return;
        }

        await store.SetEndpointVerificationAsync(endpoint.Id, after, time.GetUtcNow(), CancellationToken.None);
    }

    private async Task GiveUpAsync(HeraldEndpoint endpoint, EndpointVerification verification)
    {
        var failed = verification with
        {
            Status = VerificationStatus.Failed,
            NextCheckAt = null,
            CallbackTokenHash = null,
            AwaitingCallback = false,
            LastError = verification.LastError ?? (verification.AwaitingCallback
                ? "The receiver did not call the handshake's callback URL in time."
                : "The endpoint was not verified in time."),
        };
        if (await store.GiveUpEndpointVerificationAsync(endpoint.Id, failed, time.GetUtcNow(), CancellationToken.None) is not { } disabled)
        {
            return; // Verified by the callback, or a new round started, since this check read it: that state stands.
        }

        LogGaveUp(logger, endpoint.Id, EndpointVerification.MethodName(verification.Method));
        if (endpoint.ApplicationId == OperationalWebhooks.ApplicationId)
        {
            return;
        }

        await operational.PublishAsync(FailedEventType, new JsonObject
        {
            ["appId"] = endpoint.ApplicationId,
            ["endpointId"] = endpoint.Id,
            ["endpointUid"] = endpoint.Uid,
            ["method"] = EndpointVerification.MethodName(verification.Method),
            ["startedAt"] = verification.StartedAt.ToIso(),
            ["lastError"] = failed.LastError,
        }, CancellationToken.None);
        if (disabled)
        {
            await operational.PublishAsync("endpoint.disabled", new JsonObject
            {
                ["appId"] = endpoint.ApplicationId,
                ["endpointId"] = endpoint.Id,
                ["endpointUid"] = endpoint.Uid,
                ["trigger"] = "automatic",
                ["reason"] = "unverified",
            }, CancellationToken.None);
        }
    }

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    [LoggerMessage(EventId = EventIds.VerificationChecked, Level = LogLevel.Information, Message = "Endpoint {EndpointId} verification ({Method}) checked: {Status}, awaiting callback {AwaitingCallback}")]
    private static partial void LogChecked(ILogger logger, string endpointId, string method, string status, bool awaitingCallback);

    [LoggerMessage(EventId = EventIds.VerificationGaveUp, Level = LogLevel.Warning, Message = "Endpoint {EndpointId} was not verified ({Method}) in time: its held deliveries failed and it is disabled")]
    private static partial void LogGaveUp(ILogger logger, string endpointId, string method);

    [LoggerMessage(EventId = EventIds.VerificationCheckFailed, Level = LogLevel.Error, Message = "Endpoint {EndpointId} verification could not be checked")]
    private static partial void LogCheckFailed(ILogger logger, string endpointId, Exception exception);

    [LoggerMessage(EventId = EventIds.VerificationScanFailed, Level = LogLevel.Error, Message = "Looking for due endpoint verifications failed; tried again at the next scan")]
    private static partial void LogScanFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = EventIds.VerificationCallbackAccepted, Level = LogLevel.Information, Message = "Endpoint {EndpointId} verified by its handshake callback")]
    public static partial void LogCallbackAccepted(ILogger logger, string endpointId);
}
