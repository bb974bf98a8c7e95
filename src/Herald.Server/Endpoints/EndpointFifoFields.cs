using Herald.Server.Api;

namespace Herald.Server.Endpoints;

/// <summary>
/// The endpoint body's FIFO fields (Herald's addition; Svix has FIFO only as its <c>fifoEndpoint</c> destination type,
/// not on endpoints): <c>fifo</c> (true: messages strictly in sequence order) and <c>fifoOnExhaustion</c>
/// (<c>"stop"</c>, the default, or <c>"skip"</c>), which only a FIFO endpoint may carry: on any other it would be
/// accepted and ignored, so it is refused.
/// </summary>
internal static class EndpointFifoFields
{
    /// <summary>Checks the fields of a create or a full replace: the body alone says whether the endpoint is FIFO.</summary>
    public static void Validate(Validator v, EndpointIn input) => Validate(v, input.FifoOnExhaustion, fifo: input.Fifo == true);

    /// <summary>Checks the fields of a patch: the endpoint stays FIFO unless the body turns <c>fifo</c> off.</summary>
    public static void Validate(Validator v, JsonBody<EndpointIn> body, EndpointFifo? existing) =>
        Validate(v, body.Value.FifoOnExhaustion, fifo: FifoAfter(body, existing));

    private static void Validate(Validator v, string? onExhaustion, bool fifo)
    {
        if (onExhaustion is not (null or "stop" or "skip"))
        {
            v.Add("body.fifoOnExhaustion", "invalid_value", "must be \"stop\" or \"skip\".");
        }
        else if (onExhaustion is not null && !fifo)
        {
            v.Add("body.fifoOnExhaustion", "requires_fifo", "applies only to a FIFO endpoint: set \"fifo\": true as well, or leave it out.");
        }
    }

    /// <summary>The line of a created or replaced endpoint; a replaced one keeps its stop (only an operator clears it).</summary>
    public static EndpointFifo? From(EndpointIn input, EndpointFifo? existing = null) =>
        input.Fifo == true ? new EndpointFifo(Mode(input.FifoOnExhaustion) ?? FifoExhaustion.Stop, existing?.StoppedAt) : null;

    /// <summary>A patch: only the fields present change.</summary>
    public static EndpointFifo? Patch(JsonBody<EndpointIn> body, EndpointFifo? existing)
    {
        var mode = Mode(body.Value.FifoOnExhaustion) ?? existing?.OnExhaustion ?? FifoExhaustion.Stop;
        return FifoAfter(body, existing) ? new EndpointFifo(mode, existing?.StoppedAt) : null;
    }

    /// <summary>Whether the endpoint is FIFO once the patch is applied: as it was, unless the body sets <c>fifo</c>.</summary>
    private static bool FifoAfter(JsonBody<EndpointIn> body, EndpointFifo? existing) =>
        body.Has("fifo") ? body.Value.Fifo == true : existing is not null;

    public static string? Name(EndpointFifo? fifo) => fifo?.OnExhaustion switch
    {
        FifoExhaustion.Stop => "stop",
        FifoExhaustion.Skip => "skip",
        _ => null,
    };

    private static FifoExhaustion? Mode(string? name) => name switch
    {
        "stop" => FifoExhaustion.Stop,
        "skip" => FifoExhaustion.Skip,
        _ => null,
    };
}
