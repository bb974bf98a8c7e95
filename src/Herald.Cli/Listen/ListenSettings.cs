namespace Herald.Cli.Listen;

/// <summary>What <c>herald listen</c> reads and where it commits.</summary>
internal sealed record ListenSettings
{
    public required string App { get; init; }

    /// <summary>Uid of the polling endpoint <c>listen</c> reads from (created or updated at start).</summary>
    public required string Sink { get; init; }

    /// <summary>Name of the server-kept cursor, so a restart resumes where the last run stopped.</summary>
    public required string Consumer { get; init; }

    public IReadOnlyList<string>? EventTypes { get; init; }

    /// <summary>How long each long-poll waits when the stream is unavailable.</summary>
    public TimeSpan LongPollWait { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long to wait before reading again after the server could not be reached.</summary>
    public TimeSpan ReconnectDelay { get; init; } = TimeSpan.FromSeconds(2);
}
