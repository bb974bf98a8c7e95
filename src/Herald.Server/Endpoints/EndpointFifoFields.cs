using Herald.Server.Api;

namespace Herald.Server.Endpoints;

/// <summary>
/// The endpoint body's FIFO fields (Herald's addition; Svix has FIFO only as its <c>fifoEndpoint</c> destination type,
/// not on endpoints): <c>fifo</c> (true: messages strictly in sequence order) and <c>fifoOnExhaustion</c>
/// (<c>"stop"</c>, the default, or <c>"skip"</c>), read only when the endpoint is FIFO.
/// </summary>
internal static class EndpointFifoFields
{
    public static void Validate(Validator v, EndpointIn input)
    {
        if (input.FifoOnExhaustion is not (null or "stop" or "skip"))
        {
            v.Add("body.fifoOnExhaustion", "invalid_value", "must be \"stop\" or \"skip\".");
        }
    }

    /// <summary>The line of a created or replaced endpoint; a replaced one keeps its stop (only an operator clears it).</summary>
    public static EndpointFifo? From(EndpointIn input, EndpointFifo? existing = null) =>
        input.Fifo == true ? new EndpointFifo(Mode(input.FifoOnExhaustion) ?? FifoExhaustion.Stop, existing?.StoppedAt) : null;

    /// <summary>A patch: only the fields present change.</summary>
    public static EndpointFifo? Patch(JsonBody<EndpointIn> body, EndpointFifo? existing)
    {
        var on = body.Has("fifo") ? body.Value.Fifo == true : existing is not null;
        var mode = Mode(body.Value.FifoOnExhaustion) ?? existing?.OnExhaustion ?? FifoExhaustion.Stop;
        return on ? new EndpointFifo(mode, existing?.StoppedAt) : null;
    }

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
