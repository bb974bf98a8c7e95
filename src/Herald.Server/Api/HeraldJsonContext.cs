using System.Text.Json;
using System.Text.Json.Serialization;
using Herald.Server.Applications;
using Herald.Server.Auth;
using Herald.Server.Delivery;
using Herald.Server.Endpoints;
using Herald.Server.EventTypes;
using Herald.Server.Health;
using Herald.Server.Messages;
using Herald.Server.Polling;

namespace Herald.Server.Api;

/// <summary>
/// Source-generated JSON for every API shape: camelCase as the Svix API, and strict numbers ("5" is not 5),
/// so a wrong type is refused rather than guessed.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, NumberHandling = JsonNumberHandling.Strict)]
[JsonSerializable(typeof(ErrorBody))]
[JsonSerializable(typeof(ApplicationIn))]
[JsonSerializable(typeof(ApplicationOut))]
[JsonSerializable(typeof(ListResponse<ApplicationOut>))]
[JsonSerializable(typeof(EventTypeIn))]
[JsonSerializable(typeof(EventTypeOut))]
[JsonSerializable(typeof(ListResponse<EventTypeOut>))]
[JsonSerializable(typeof(EndpointIn))]
[JsonSerializable(typeof(EndpointOut))]
[JsonSerializable(typeof(ListResponse<EndpointOut>))]
[JsonSerializable(typeof(EndpointSecretOut))]
[JsonSerializable(typeof(EndpointSecretRotateIn))]
[JsonSerializable(typeof(EndpointHeadersIn))]
[JsonSerializable(typeof(EndpointHeadersOut))]
[JsonSerializable(typeof(MessageIn))]
[JsonSerializable(typeof(MessageOut))]
[JsonSerializable(typeof(ListResponse<MessageOut>))]
[JsonSerializable(typeof(AppPortalAccessIn))]
[JsonSerializable(typeof(AppPortalAccessOut))]
[JsonSerializable(typeof(HealthOut))]
[JsonSerializable(typeof(MessageAttemptOut))]
[JsonSerializable(typeof(ListResponse<MessageAttemptOut>))]
[JsonSerializable(typeof(MessageEndpointOut))]
[JsonSerializable(typeof(ListResponse<MessageEndpointOut>))]
[JsonSerializable(typeof(EndpointMessageOut))]
[JsonSerializable(typeof(ListResponse<EndpointMessageOut>))]
[JsonSerializable(typeof(EndpointStats))]
[JsonSerializable(typeof(RecoverIn))]
[JsonSerializable(typeof(RecoverOut))]
[JsonSerializable(typeof(EventExampleIn))]
[JsonSerializable(typeof(EmptyResponse))]
[JsonSerializable(typeof(DestinationIn))]
[JsonSerializable(typeof(DestinationOut))]
[JsonSerializable(typeof(ListResponse<DestinationOut>))]
[JsonSerializable(typeof(PollingEndpointOut))]
[JsonSerializable(typeof(PollingEndpointMessageOut))]
[JsonSerializable(typeof(PollingEndpointConsumerSeekIn))]
[JsonSerializable(typeof(PollingEndpointConsumerSeekOut))]
[JsonSerializable(typeof(PollingEndpointConsumerCommitIn))]
[JsonSerializable(typeof(ValidationErrorBody))]
[JsonSerializable(typeof(AppPortalExpireIn))]
[JsonSerializable(typeof(Herald.Server.BackgroundTasks.BackgroundTaskOut))]
[JsonSerializable(typeof(ListResponse<Herald.Server.BackgroundTasks.BackgroundTaskOut>))]
[JsonSerializable(typeof(Herald.Server.BackgroundTasks.ReplayOut))]
[JsonSerializable(typeof(Herald.Server.BackgroundTasks.ExpungeAllContentsOut))]
[JsonSerializable(typeof(Herald.Server.BackgroundTasks.AggregateEventTypesOut))]
[JsonSerializable(typeof(Herald.Server.BackgroundTasks.AppUsageStatsOut))]
[JsonSerializable(typeof(Herald.Server.BackgroundTasks.ReplayIn))]
[JsonSerializable(typeof(Herald.Server.BackgroundTasks.BulkReplayIn))]
[JsonSerializable(typeof(Herald.Server.BackgroundTasks.AppUsageStatsIn))]
[JsonSerializable(typeof(BulkExpungeContentsIn))]
[JsonSerializable(typeof(BulkExpungeContentsOut))]
[JsonSerializable(typeof(EventTypeImportOpenApiIn))]
[JsonSerializable(typeof(EventTypeImportOpenApiOut))]
[JsonSerializable(typeof(Herald.Server.BackgroundTasks.EndpointCountOut))]
[JsonSerializable(typeof(Herald.Server.Stats.ActiveAppCount))]
[JsonSerializable(typeof(Herald.Server.Stats.AppAttemptStatsOut))]
[JsonSerializable(typeof(Herald.Server.Stats.AttemptStatisticsResponse))]
[JsonSerializable(typeof(WhoamiOut))]
[JsonSerializable(typeof(ApiKeyIn))]
[JsonSerializable(typeof(ApiKeyRotateIn))]
[JsonSerializable(typeof(ApiKeyExpireIn))]
[JsonSerializable(typeof(ApiKeyOut))]
[JsonSerializable(typeof(ApiKeySecretOut))]
[JsonSerializable(typeof(ListResponse<ApiKeyOut>))]
[JsonSerializable(typeof(Herald.Server.Transformations.EndpointTransformationOut))]
[JsonSerializable(typeof(Herald.Server.Transformations.EndpointTransformationPatch))]
[JsonSerializable(typeof(Herald.Server.Transformations.TransformationSimulateIn))]
[JsonSerializable(typeof(Herald.Server.Transformations.TransformationSimulateOut))]
internal sealed partial class HeraldJsonContext : JsonSerializerContext
{
    /// <summary>The context the API uses: as generated, but without escaping ' &lt; &gt; &amp; in strings (responses are JSON, never HTML).</summary>
    public static HeraldJsonContext Api { get; } = new(new JsonSerializerOptions(JsonSerializerDefaults.Web)
    {
        NumberHandling = JsonNumberHandling.Strict,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
}
