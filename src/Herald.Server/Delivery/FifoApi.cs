using Herald.Server.Api;
using Herald.Server.Auth;
using Herald.Server.Endpoints;
using Herald.Server.Storage;

namespace Herald.Server.Delivery;

/// <summary>The operator's way to restart a stopped FIFO line without resending (resend and recover restart it too).</summary>
internal static class FifoApi
{
    public static void MapFifoLine(this RouteGroupBuilder endpoints) =>
        endpoints.MapPost("/{endpoint_id}/fifo/resume", ResumeAsync).WithSummary("Resume a stopped FIFO endpoint.")
            .WithDescription("Herald's addition. The exhausted message that stopped the line stays failed; the line goes on with the next message (within a scan interval). Answers 204, also when the line was running; 409 `not_fifo` when the endpoint is not a FIFO endpoint.");

    private static async Task<NoContent> ResumeAsync(string endpoint_id, EndpointScope scope, HttpContext context, IEndpointStore store, FifoLine line)
    {
        var endpoint = await scope.FindEndpointAsync(store, endpoint_id, context.RequestAborted);
        if (endpoint.Fifo is null)
        {
            throw ApiException.Conflict("The endpoint is not a FIFO endpoint (set `fifo: true` on it first).", "not_fifo");
        }

        await line.ResumeAsync(endpoint, context.RequestAborted);
        return TypedResults.NoContent();
    }
}
