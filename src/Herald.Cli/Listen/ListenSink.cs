using System.Net;
using System.Security.Cryptography;
using Herald.Client;

namespace Herald.Cli.Listen;

/// <summary>Where <c>listen</c> starts reading: after the log's current end (new events only), its beginning, a time, or the kept cursor.</summary>
internal enum ListenStart
{
    /// <summary>New events only on a new polling endpoint; a named one that exists continues from its cursor.</summary>
    Default,
    FromStart,
    Since,
}

/// <summary>What the developer asked <c>listen</c> to read.</summary>
internal sealed record ListenRequest
{
    public required string App { get; init; }

    /// <summary>A polling endpoint to create or reuse and keep; null: a temporary one, deleted on exit.</summary>
    public string? Name { get; init; }

    /// <summary>The secret to sign with; null: the named endpoint's kept one, else a new one.</summary>
    public WebhookSecret? Secret { get; init; }

    public IReadOnlyList<string>? EventTypes { get; init; }

    public ListenStart Start { get; init; }

    public DateTimeOffset? Since { get; init; }
}

/// <summary>
/// The polling endpoint one <c>listen</c> run reads from, with the consumer cursor positioned and the secret it signs
/// with. A temporary one has a random uid and is deleted when the run ends; a named one (<c>--name</c>) is kept, with
/// the secret it generated in its metadata so the next run prints and signs with the same one.
/// </summary>
internal sealed record ListenSink(string App, string Uid, bool Temporary, WebhookSecret Secret)
{
    public const string Consumer = "herald-cli";
    private const string MarkerKey = "herald-cli";
    private const string SecretKey = "herald-cli-secret";

    public static async Task<(ListenSink Sink, string StartsWith)> OpenAsync(HeraldClient herald, ListenRequest request, TimeProvider time, CancellationToken cancellationToken)
    {
        ListenSink sink;
        bool created;
        if (request.Name is not { } name)
        {
            sink = new ListenSink(request.App, "herald-cli-listen-" + RandomNumberGenerator.GetHexString(12, lowercase: true), true, request.Secret ?? WebhookSecret.Generate());
            await herald.PollingEndpoints.CreateAsync(
                request.App,
                new PollingEndpointIn { Uid = sink.Uid, EventTypes = request.EventTypes, Metadata = new Dictionary<string, string> { [MarkerKey] = "listen (temporary)" } },
                cancellationToken: cancellationToken);
            created = true;
        }
        else
        {
            var existing = await FindAsync(herald, request.App, name, cancellationToken);
            var metadata = new Dictionary<string, string>(existing?.Metadata ?? new Dictionary<string, string>()) { [MarkerKey] = "listen" };
            var kept = existing?.Metadata.GetValueOrDefault(SecretKey) is { } text && WebhookSecret.TryParse(text, out var parsed) ? parsed : null;
            var secret = request.Secret ?? kept ?? WebhookSecret.Generate();
            if (request.Secret is null)
            {
                metadata[SecretKey] = secret.Text;
            }

            await herald.PollingEndpoints.UpsertAsync(
                request.App, name, new PollingEndpointIn { Uid = name, EventTypes = request.EventTypes, Metadata = metadata }, cancellationToken);
            sink = new ListenSink(request.App, name, false, secret);
            created = existing is null;
        }

        try
        {
            return (sink, await PositionAsync(herald, sink, request, created, time, cancellationToken));
        }
        catch when (sink.Temporary)
        {
            await sink.DeleteAsync(herald);
            throw;
        }
    }

    /// <summary>Deletes a temporary polling endpoint (and its cursor), even when the run was cancelled; false if that failed.</summary>
    public async Task<bool> DeleteAsync(HeraldClient herald)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await herald.PollingEndpoints.DeleteAsync(App, Uid, timeout.Token);
            return true;
        }
        catch (Exception e) when (e is HttpRequestException or HeraldApiException or OperationCanceledException)
        {
            return false;
        }
    }

    private static async Task<string> PositionAsync(HeraldClient herald, ListenSink sink, ListenRequest request, bool created, TimeProvider time, CancellationToken cancellationToken)
    {
        switch (request.Start)
        {
            case ListenStart.FromStart:
                await herald.Poller.CommitAsync(sink.App, sink.Uid, Consumer, "0", cancellationToken: cancellationToken);
                return "all events from the start";
            case ListenStart.Since:
                await herald.Poller.SeekAsync(sink.App, sink.Uid, Consumer, request.Since!.Value, cancellationToken: cancellationToken);
                return $"events since {Output.Printer.Time(request.Since.Value)}";
            case ListenStart.Default when created:
                // Herald has no "seek to the end": a time past every message's creation time (stamped by the server's
                // clock, so a day covers any skew with this machine's) lands the cursor on the log's current end.
                await herald.Poller.SeekAsync(sink.App, sink.Uid, Consumer, time.GetUtcNow().AddDays(1), cancellationToken: cancellationToken);
                return "new events";
            default:
                return "events after where the last run stopped";
        }
    }

    private static async Task<PollingEndpointOut?> FindAsync(HeraldClient herald, string app, string uid, CancellationToken cancellationToken)
    {
        try
        {
            return await herald.PollingEndpoints.GetAsync(app, uid, cancellationToken);
        }
        catch (HeraldApiException e) when (e.StatusCode == HttpStatusCode.NotFound && e.Code == "not_found")
        {
            return null;
        }
    }
}
