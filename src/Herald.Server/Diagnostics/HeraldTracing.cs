using System.Diagnostics;

namespace Herald.Server.Diagnostics;

/// <summary>
/// Herald's spans, on the <c>Herald</c> activity source: <c>herald.publish</c> (a message accepted through the API),
/// <c>herald.storage.commit</c> (one storage transaction: a SQLite group commit, linked to every write it carried, or
/// one PostgreSQL write) and <c>herald.delivery.attempt</c> (one HTTP try of a webhook). An attempt is not a child of
/// its publish: it starts a trace of its own with an <see cref="ActivityLink"/> to the publish span, whose W3C
/// <c>traceparent</c> is stored with the message. Deliveries run long after the request (retries over days, after
/// a restart, on another node) and fan out to many endpoints, so a child would keep one trace open for days and
/// make it grow with every endpoint and retry; a link still leads from each attempt to the request that caused it.
/// Tags carry ids (application, message, endpoint, delivery) and outcomes, never a payload, secret, token, header or
/// receiver URL (docs/DEPLOYMENT.md "Traces").
/// </summary>
internal static class HeraldTracing
{
    public const string SourceName = "Herald";

    public static readonly ActivitySource Source = new(SourceName, typeof(HeraldTracing).Assembly.GetName().Version?.ToString());

    /// <summary>
    /// The span for a message being published, as a child of the request's span; null when nobody listens. Its W3C id
    /// (or, unsampled, the request's) is what <see cref="TraceParent"/> stores with the message.
    /// </summary>
    public static Activity? StartPublish(string applicationId, string messageId, string eventType)
    {
        var activity = Source.StartActivity("herald.publish", ActivityKind.Internal);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("herald.application.id", applicationId);
            activity.SetTag("herald.message.id", messageId);
            activity.SetTag("herald.event_type", eventType);
        }

        return activity;
    }

    /// <summary>The W3C <c>traceparent</c> to store with a message published now, or null outside any trace.</summary>
    public static string? TraceParent(Activity? publish) =>
        (publish ?? Activity.Current) is { IdFormat: ActivityIdFormat.W3C } activity ? activity.Id : null;

    /// <summary>
    /// The span of one delivery attempt: a root of its own trace, linked to the publish span stored as
    /// <paramref name="traceParent"/> (when the message was published inside a trace). Null when nobody listens.
    /// </summary>
    public static Activity? StartAttempt(string? traceParent, string applicationId, string messageId, string endpointId, string deliveryId, int attemptNumber)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        ActivityLink[]? links = traceParent is not null && ActivityContext.TryParse(traceParent, null, out var publish) ? [new ActivityLink(publish)] : null;
        // A root: the dispatcher's loop may run inside another activity (a publisher starting the delivery inline).
        // Activity.Current stays the attempt's span for the caller (so the HttpClient span is its child); the caller is
        // an async method, whose end restores its own caller's Activity.Current.
        Activity.Current = null;
        var activity = Source.StartActivity("herald.delivery.attempt", ActivityKind.Internal, parentContext: default, tags: null, links: links);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("herald.application.id", applicationId);
            activity.SetTag("herald.message.id", messageId);
            activity.SetTag("herald.endpoint.id", endpointId);
            activity.SetTag("herald.delivery.id", deliveryId);
            activity.SetTag("herald.attempt.number", attemptNumber);
        }

        return activity;
    }

    /// <summary>Ends an attempt's span with its outcome: the receiver's status code, and an error status when it failed.</summary>
    public static void AttemptEnded(Activity? activity, bool succeeded, int statusCode)
    {
        if (activity is null)
        {
            return;
        }

        if (statusCode != 0)
        {
            activity.SetTag("http.response.status_code", statusCode);
        }

        activity.SetTag("herald.attempt.outcome", succeeded ? "success" : "failure");
        activity.SetStatus(succeeded ? ActivityStatusCode.Ok : ActivityStatusCode.Error);
    }

    /// <summary>
    /// The span of one storage transaction, a child of the current span. For a SQLite group commit, which carries the
    /// writes of many requests at once, <paramref name="writers"/> are their callers' contexts: the span is a child of
    /// the first and linked to the others, so each publish's trace leads to the commit that made it durable.
    /// </summary>
    public static Activity? StartCommit(string engine, int writes, IReadOnlyList<ActivityContext>? writers = null)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        Activity? activity;
        if (writers is null)
        {
            activity = Source.StartActivity("herald.storage.commit", ActivityKind.Internal);
        }
        else
        {
            var traced = writers.Where(c => c != default).Distinct().ToList();
            var parent = traced.Count > 0 ? traced[0] : default;
            var links = traced.Skip(1).Select(c => new ActivityLink(c)).ToList();
            activity = Source.StartActivity("herald.storage.commit", ActivityKind.Internal, parent, tags: null, links: links);
        }

        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("db.system.name", engine);
            activity.SetTag("herald.storage.writes", writes);
        }

        return activity;
    }

    /// <summary>Marks a span failed with the exception's type only (its message may quote SQL or stored values).</summary>
    public static void Failed(Activity? activity, Exception exception)
    {
        if (activity is null)
        {
            return;
        }

        activity.SetStatus(ActivityStatusCode.Error);
        activity.SetTag("error.type", exception.GetType().FullName);
    }

    /// <summary>For an exception filter: marks the span failed and returns false, so the exception passes untouched.</summary>
    public static bool FailedFilter(Activity? activity, Exception exception)
    {
        Failed(activity, exception);
        return false;
    }
}
