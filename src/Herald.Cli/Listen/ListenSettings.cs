namespace Herald.Cli.Listen;

/// <summary>What <c>herald listen</c> reads and where it commits.</summary>
internal sealed record ListenSettings
{
    public required string App { get; init; }

    /// <summary>Uid of the polling endpoint <c>listen</c> reads from (see <see cref="ListenSink"/>).</summary>
    public required string Sink { get; init; }

    /// <summary>Name of the server-kept cursor, so a restart of a named listener resumes where the last run stopped.</summary>
    public string Consumer { get; init; } = ListenSink.Consumer;

    /// <summary>How long each long-poll waits when the stream is unavailable.</summary>
    public TimeSpan LongPollWait { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long to wait before reading again after the server could not be reached.</summary>
    public TimeSpan ReconnectDelay { get; init; } = TimeSpan.FromSeconds(2);
}
