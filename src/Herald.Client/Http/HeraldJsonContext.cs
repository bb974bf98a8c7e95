using System.Text.Json;
using System.Text.Json.Serialization;

namespace Herald.Client.Http;

/// <summary>
/// Source-generated JSON of every API shape: camelCase as the API (web defaults), and unset optional fields left out
/// of request bodies, so a create or a patch sends only what the caller set.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ErrorBody))]
[JsonSerializable(typeof(IReadOnlyList<ValidationError>))]
[JsonSerializable(typeof(HealthOut))]
[JsonSerializable(typeof(ApplicationIn))]
[JsonSerializable(typeof(ApplicationPatch))]
[JsonSerializable(typeof(ApplicationOut))]
[JsonSerializable(typeof(ListResponse<ApplicationOut>))]
[JsonSerializable(typeof(EventTypeIn))]
[JsonSerializable(typeof(EventTypeUpdate))]
[JsonSerializable(typeof(EventTypePatch))]
[JsonSerializable(typeof(EventTypeOut))]
[JsonSerializable(typeof(ListResponse<EventTypeOut>))]
[JsonSerializable(typeof(EndpointIn))]
[JsonSerializable(typeof(EndpointPatch))]
[JsonSerializable(typeof(EndpointOut))]
[JsonSerializable(typeof(ListResponse<EndpointOut>))]
[JsonSerializable(typeof(EndpointSecretOut))]
[JsonSerializable(typeof(EndpointSecretRotateIn))]
[JsonSerializable(typeof(EndpointHeadersIn))]
[JsonSerializable(typeof(EndpointHeadersPatch))]
[JsonSerializable(typeof(EndpointHeadersOut))]
[JsonSerializable(typeof(EndpointStats))]
[JsonSerializable(typeof(EndpointVerificationOut))]
[JsonSerializable(typeof(EndpointTransformationOut))]
[JsonSerializable(typeof(EndpointTransformationPatch))]
[JsonSerializable(typeof(TransformationRemoval))]
[JsonSerializable(typeof(TransformationSimulateIn))]
[JsonSerializable(typeof(TransformationSimulateOut))]
[JsonSerializable(typeof(RecoverIn))]
[JsonSerializable(typeof(RecoverOut))]
[JsonSerializable(typeof(EventExampleIn))]
[JsonSerializable(typeof(MessageIn))]
[JsonSerializable(typeof(MessageOut))]
[JsonSerializable(typeof(ListResponse<MessageOut>))]
[JsonSerializable(typeof(MessageAttemptOut))]
[JsonSerializable(typeof(ListResponse<MessageAttemptOut>))]
[JsonSerializable(typeof(ListResponse<MessageEndpointOut>))]
[JsonSerializable(typeof(ListResponse<EndpointMessageOut>))]
[JsonSerializable(typeof(AppPortalAccessIn))]
[JsonSerializable(typeof(AppPortalAccessOut))]
[JsonSerializable(typeof(PollingEndpointIn))]
[JsonSerializable(typeof(PollingEndpointPatch))]
[JsonSerializable(typeof(PollingEndpointOut))]
[JsonSerializable(typeof(ListResponse<PollingEndpointOut>))]
[JsonSerializable(typeof(PollerPage))]
[JsonSerializable(typeof(PolledMessage))]
[JsonSerializable(typeof(PollerCommitIn))]
[JsonSerializable(typeof(PollerSeekIn))]
[JsonSerializable(typeof(PollerSeekOut))]
[JsonSerializable(typeof(EmptyBody))]
internal sealed partial class HeraldJsonContext : JsonSerializerContext;

/// <summary>The <c>{}</c> body of a POST that takes none, and the <c>{}</c> answer of resend.</summary>
internal sealed record EmptyBody;
