using System.Net;
using System.Text.Json;
using Herald.Receiver.Replay;

namespace Herald.Receiver.AspNetCore;

/// <summary>How a webhook endpoint verifies, deduplicates and binds what it receives.</summary>
public sealed class WebhookEndpointOptions
{
    /// <summary>The signature scheme the sender uses; default <see cref="WebhookScheme.StandardWebhooks"/> (Herald).</summary>
    public WebhookScheme Scheme { get; init; } = WebhookScheme.StandardWebhooks;

    /// <summary>Every currently valid secret (several during rotation). At least one is required.</summary>
    public required IReadOnlyList<string> Secrets { get; init; }

    /// <summary>How far the signed timestamp may be from now, either way; default five minutes.</summary>
    public TimeSpan Tolerance { get; init; } = WebhookVerifier.DefaultTolerance;

    /// <summary>How long seen message ids are remembered; default <see cref="WebhookReplayDefaults.Horizon"/>.</summary>
    public TimeSpan ReplayHorizon { get; init; } = WebhookReplayDefaults.Horizon;

    /// <summary>
    /// Where seen ids are kept. When null: an <see cref="IWebhookReplayStore"/> registered in DI if any, otherwise an
    /// <see cref="InMemoryWebhookReplayStore"/> for this endpoint.
    /// </summary>
    public IWebhookReplayStore? ReplayStore { get; init; }

    /// <summary>Networks the sender may call from; empty (the default) allows any caller. Others get 403.</summary>
    public IReadOnlyList<IPNetwork> AllowedNetworks { get; init; } = [];

    /// <summary>The largest body accepted; default 1 MiB. Larger requests get 413 before anything is verified.</summary>
    public long MaxBodyBytes { get; init; } = 1024 * 1024;

    /// <summary>Options for binding the payload to its record; default <see cref="JsonSerializerDefaults.Web"/>.</summary>
    public JsonSerializerOptions JsonSerializerOptions { get; init; } = new(JsonSerializerDefaults.Web);
}
