namespace Herald.Server.Diagnostics;

/// <summary>
/// Every log event id Herald's server uses, in one place (as YARP's <c>EventIds</c>): a <c>[LoggerMessage]</c> names
/// its id from here, so ids stay unique and an operator can filter or alert on one (<c>EventId.Id</c> in JSON logs)
/// across releases. An id is never reused for another meaning once shipped. Ranges by area; add new ids at the end of
/// their area's block (or open a new block), one constant a line. <c>EventIdsTests</c> fails on a duplicate, and on
/// a <c>[LoggerMessage]</c> whose id is not listed here.
/// </summary>
internal static class EventIds
{
    // 1000–1099: idempotency.
    public const int IdempotentReplay = 1001;
    public const int IdempotencyKeysCleaned = 1002;
    public const int IdempotencyCleanupFailed = 1003;
    public const int IdempotentAnswerDropped = 1004;
    public const int IdempotentCompletionDeferred = 1005;

    // 1100–1199: the API's error handling.
    public const int ApiStorageFailure = 1101;

    // 1200–1299: health.
    public const int HealthProbeFailed = 1201;
    public const int HealthProbeRecovered = 1202;

    // 1300–1399: start-up, banner and dev mode.
    public const int Started = 1300;
    public const int DevMode = 1301;
    public const int AdminTokenWrittenToFile = 1302;
    public const int AttemptNoted = 1310;
    public const int FirstRefusedAttempt = 1311;

    // 2000–2099: the delivery dispatcher.
    public const int AttemptMade = 2001;
    public const int AttemptFailed = 2002;
    public const int ScanFailed = 2003;
    public const int EndpointDisabled = 2004;
    public const int BookkeepingOutage = 2011;
    public const int BookkeepingRecovered = 2012;
    public const int BookkeepingGivenUp = 2013;
    public const int Draining = 2014;
    public const int Drained = 2015;
    public const int DrainHandBackFailed = 2016;
    public const int DeliveryHandBackFailed = 2017;

    // 2100–2199: cluster membership and signals, operational webhooks.
    public const int LiveNodes = 2101;
    public const int HeartbeatFailed = 2102;
    public const int ClusterListenFailed = 2103;   // was 5001 (shared with the retention job)
    public const int ClusterListenResumed = 2104;  // was 5002 (shared with the retention job)
    public const int ConnectionsOverBudget = 2105;
    public const int ConnectionBudgetUnread = 2106;
    public const int AttemptLogBatchPublished = 2111;
    public const int AttemptLogBatchFailed = 2112;
    public const int AttemptLogSubscribersFailed = 2113;
    public const int OperationalWebhookFailed = 2121; // was 2101 (shared with LiveNodes)
    public const int OperationalWebhookDropped = 2122;

    // 2200–2299: the webhook sender.
    public const int SendUnexpected = 2201;

    // 2300–2399: background tasks.
    public const int BackgroundTaskClaimFailed = 2301;
    public const int BackgroundTaskFailed = 2302;
    public const int BackgroundTaskLeaseLost = 2303;

    // 2400–2499: FIFO endpoints.
    public const int FifoLineStopped = 2401;
    public const int FifoLineResumed = 2402;

    // 2500–2599: endpoint ownership verification.
    public const int VerificationChecked = 2501;
    public const int VerificationGaveUp = 2502;
    public const int VerificationCheckFailed = 2503;
    public const int VerificationScanFailed = 2504;
    public const int VerificationCallbackAccepted = 2505;

    // 3100–3199: authentication and rate limits.
    public const int ApiKeyTouchFailed = 3101;
    public const int PresetAdminTokenEnded = 3102;
    public const int OAuthTokenIssued = 3121;
    public const int OAuthClientRefused = 3122;
    public const int RequestBudgetUsedUp = 3141;
    public const int FailedAuthenticationBudgetUsedUp = 3142;

    // 4100–4199: request content.
    public const int ContentGateWaiting = 4101;

    // 5000–5099: retention.
    public const int RetentionPurged = 5001;
    public const int RetentionFailed = 5002;

    // 7100–7199: storage and secrets at rest.
    public const int DataDirectoryNotRestricted = 7101;
    public const int MainKeyGenerated = 7102;
    public const int SecretsResealed = 7103;
    public const int SecretsForgotten = 7104;
    public const int GroupCommitFailed = 7111;
    public const int PostgresPublishGroupSplit = 7120;
    public const int PostgresPublishGroupFailed = 7121;
    public const int PostgresNotifyFailed = 7122;
    public const int PostgresNoticesDropped = 7123;
    public const int PostgresAttemptGroupSplit = 7124;

    // 8100–8199: GraphQL.
    public const int GraphQLFieldFailed = 8100;
    public const int GraphQLSubscriptionFailed = 8110;
    public const int GraphQLWebSocketFailed = 8111;
    public const int GraphQLConnectionRefused = 8112;

    // 8200–8299: transformations and payload schemas.
    public const int UnusablePayloadSchema = 8201;
}
