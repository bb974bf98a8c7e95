using Herald.Server.Api;

namespace Herald.Server.Polling;

/// <summary>
/// Svix's <c>batchSize</c> and <c>maxWaitSecs</c> say how a destination's events are grouped into the requests
/// Svix pushes to it. A polling endpoint is not pushed to: its consumer sizes each page with <c>limit</c> and
/// long-polls with <c>wait</c>. So Herald accepts only Svix's defaults (which describe what happens: no grouping
/// imposed by the server, no held-back batches) and refuses any other value, instead of storing a setting that
/// would change nothing.
/// </summary>
internal static class DestinationBatching
{
    public const int DefaultBatchSize = 100;
    public const int DefaultMaxWaitSecs = 0;

    public static Validator Batching(this Validator v, DestinationIn input)
    {
        if (input.BatchSize is { } size)
        {
            if (size is < 1 or > 1000)
            {
                v.Add("body.batchSize", "out_of_range", "must be from 1 to 1000.");
            }
            else if (size != DefaultBatchSize)
            {
                v.Add("body.batchSize", "unsupported",
                    $"Herald does not support batchSize on polling endpoints (only {DefaultBatchSize}): the consumer chooses the page size with `limit` on each poll.");
            }
        }

        if (input.MaxWaitSecs is { } wait)
        {
            if (wait is < 0 or > 300)
            {
                v.Add("body.maxWaitSecs", "out_of_range", "must be from 0 to 300.");
            }
            else if (wait != DefaultMaxWaitSecs)
            {
                v.Add("body.maxWaitSecs", "unsupported",
                    $"Herald does not support maxWaitSecs on polling endpoints (only {DefaultMaxWaitSecs}): long-poll with `wait` on the poll instead.");
            }
        }

        return v;
    }
}
