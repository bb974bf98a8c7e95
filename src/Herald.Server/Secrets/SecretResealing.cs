using Herald.Server.Endpoints;
using Herald.Server.Storage;
using Microsoft.Extensions.Options;
using Herald.Server.Diagnostics;

namespace Herald.Server.Secrets;

/// <summary>
/// The start-up pass over every endpoint's stored secrets and headers, in small batches, before the server takes
/// requests: plaintext from before sealing existed is sealed, values sealed with a previous main key are resealed with
/// the current one, and a value that no configured key opens stops the start (or, with
/// <see cref="SecretsOptions.ForgetUnreadable"/>, is replaced). Each change applies only if the row still holds the value
/// that was read, so nodes of a cluster starting together do no harm.
/// </summary>
internal sealed partial class SecretResealing(ISecretStore store, SecretSealer sealer, IOptions<SecretsOptions> options, ILogger<SecretResealing> logger)
{
    public const int BatchSize = 200;

    /// <summary>Runs the pass; returns how many stored values it rewrote.</summary>
    /// <exception cref="OptionsValidationException">Some values open with no configured key (and they may not be forgotten).</exception>
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var forget = options.Value.ForgetUnreadable;
        var unreadable = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var rewritten = 0;
        string? after = null;
        while (true)
        {
            var batch = await store.ListStoredSecretsAsync(after, BatchSize, cancellationToken);
            var changes = new List<StoredSecretChange>();
            foreach (var endpoint in batch)
            {
                Consider(SealedField.EndpointHeaders(endpoint.EndpointId), endpoint.Headers, () => "{}");
                foreach (var key in endpoint.Keys)
                {
                    Consider(SealedField.EndpointSecret(endpoint.EndpointId), key, EndpointSecret.New);
                }
            }

            if (changes.Count > 0)
            {
                rewritten += await store.ReplaceStoredSecretsAsync(changes, cancellationToken);
            }

            if (batch.Count < BatchSize)
            {
                break;
            }

            after = batch[^1].EndpointId;

            void Consider(SealedField field, string stored, Func<string> replacement)
            {
                if (!sealer.NeedsResealing(stored))
                {
                    return;
                }

                string clear;
                try
                {
                    clear = sealer.Open(stored, field);
                }
                catch (SecretUnreadableException e)
                {
                    var reason = e.MissingKeyId is { } id ? $"sealed with main key {id}, which is not configured" : "sealed with a configured key but altered or damaged";
                    unreadable[reason] = unreadable.GetValueOrDefault(reason) + 1;
                    if (!forget)
                    {
                        return;
                    }

                    LogForgotten(logger, field.EndpointId, field.Column);
                    clear = replacement();
                }

                changes.Add(new StoredSecretChange(field, stored, sealer.Seal(clear, field)));
            }
        }

        if (rewritten > 0)
        {
            await store.ScrubRewrittenSecretsAsync(cancellationToken);
            LogResealed(logger, rewritten, sealer.Keys.Current.Id);
        }

        if (unreadable.Count > 0 && !forget)
        {
            var counts = string.Join("; ", unreadable.Select(u => $"{u.Value} {(u.Value == 1 ? "value is" : "values are")} {u.Key}"));
            throw new OptionsValidationException(SecretsOptions.Section, typeof(SecretsOptions),
            [
                $"Herald:Secrets: stored endpoint secrets or headers cannot be opened: {counts}. Configured key ids: {string.Join(", ", sealer.Keys.KeyIds)}. " +
                "Configure the missing key (Herald:Secrets:MainKey, or under Herald:Secrets:PreviousKeys / PreviousKeyFiles while it is resealed). " +
                "If it is lost, start once with Herald__Secrets__ForgetUnreadable=true: those endpoints get new secrets and lose their headers (docs/SECURITY.md, \"Secrets at rest\").",
            ]);
        }

        return rewritten;
    }

    [LoggerMessage(EventId = EventIds.SecretsResealed, Level = LogLevel.Information, Message = "Sealed {Count} stored endpoint secrets and headers with main key {KeyId}")]
    private static partial void LogResealed(ILogger logger, int count, string keyId);

    [LoggerMessage(EventId = EventIds.SecretsForgotten, Level = LogLevel.Warning,
        Message = "Endpoint {EndpointId}: its {Column} opened with no configured main key and was replaced (ForgetUnreadable): a new signing secret, or no headers")]
    private static partial void LogForgotten(ILogger logger, string endpointId, string column);
}
