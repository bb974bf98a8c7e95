using System.Collections.Concurrent;
using System.Globalization;
using Herald.Server.Diagnostics;
using Herald.Server.Hosting;

namespace Herald.Server.Delivery;

/// <summary>
/// What the server log says about attempts, for the people watching it. In dev mode, one Information line per attempt
/// with its outcome, status, error and next try. In any mode, the first attempt per endpoint that the
/// <see cref="AddressGuard"/> refuses is logged at Warning — once per endpoint, not once per attempt, so an endpoint
/// pointed at a private address cannot flood the log.
/// </summary>
internal sealed partial class AttemptNotes(IConfiguration configuration, ILogger<AttemptNotes> logger)
{
    /// <summary>
    /// Endpoints whose refusal was logged. Bounded: when it holds this many, it starts over, so at worst an endpoint's
    /// refusal is logged again after this many other endpoints' were.
    /// </summary>
    internal const int RememberedEndpoints = 10_000;

    private readonly bool _dev = DevMode.IsOn(configuration);
    private readonly ConcurrentDictionary<string, byte> _refusedLogged = new(StringComparer.Ordinal);

    public void Attempted(string endpointId, string messageId, int attempt, AttemptOutcome outcome, DateTimeOffset? next)
    {
        if (_dev)
        {
            LogAttempt(logger, attempt, messageId, endpointId, outcome.Succeeded ? "succeeded" : "failed", outcome.StatusCode,
                (long)outcome.Duration.TotalMilliseconds, outcome.Error ?? "none",
                outcome.Succeeded ? "none" : next?.ToString("u", CultureInfo.InvariantCulture) ?? "none, the delivery has failed");
        }

        if (outcome.Error?.StartsWith(SendError.RefusedPrefix, StringComparison.Ordinal) == true && FirstRefusal(endpointId))
        {
            LogFirstRefusal(logger, endpointId, outcome.Error);
        }
    }

    private bool FirstRefusal(string endpointId)
    {
        if (_refusedLogged.Count >= RememberedEndpoints)
        {
            _refusedLogged.Clear();
        }

        return _refusedLogged.TryAdd(endpointId, 0);
    }

    [LoggerMessage(EventId = EventIds.AttemptNoted, Level = LogLevel.Information,
        Message = "Attempt {Attempt} of message {MessageId} to endpoint {EndpointId} {Outcome}: status {StatusCode} in {DurationMs} ms; error: {Error}; next try: {NextTry}")]
    private static partial void LogAttempt(ILogger logger, int attempt, string messageId, string endpointId, string outcome, int statusCode, long durationMs, string error, string nextTry);

    [LoggerMessage(EventId = EventIds.FirstRefusedAttempt, Level = LogLevel.Warning,
        Message = "Endpoint {EndpointId} cannot be reached ({Error}); its deliveries fail until its URL or Herald:Delivery:AllowedNetworks changes (for local development, start Herald with --dev). Logged once per endpoint.")]
    private static partial void LogFirstRefusal(ILogger logger, string endpointId, string error);
}
