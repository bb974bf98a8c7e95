namespace Herald.Receiver;

/// <summary>Why a webhook failed verification.</summary>
public enum WebhookFailure
{
    /// <summary>A header the scheme requires is absent.</summary>
    MissingHeader = 1,

    /// <summary>A header is present but cannot be parsed (bad timestamp, no signature entries, ...).</summary>
    MalformedHeader = 2,

    /// <summary>The signed timestamp is further from now than the configured tolerance.</summary>
    TimestampOutsideTolerance = 3,

    /// <summary>No signature in the header matches the body under any of the secrets.</summary>
    NoMatchingSignature = 4,
}
