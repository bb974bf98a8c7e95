using System.ComponentModel.DataAnnotations;

namespace Herald.Server.Api;

/// <summary>Limits of the REST API. Bound from <c>Herald:Api</c>.</summary>
public sealed class ApiOptions
{
    public const string Section = "Herald:Api";

    /// <summary>Largest request body accepted; larger ones get 413. Default 1 MiB.</summary>
    [Range(1024, 64L * 1024 * 1024)]
    public long MaxRequestBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>
    /// Bytes of content (message payloads, attempt response bodies) one page of a list, poll or stream batch may hold;
    /// a page that reaches it ends early with done=false and an iterator that continues after its last item. A page
    /// always holds at least one item. Default 4 MiB.
    /// </summary>
    [Range(64 * 1024, 256L * 1024 * 1024)]
    public long PageByteBudget { get; set; } = 4 * 1024 * 1024;

    /// <summary>
    /// Bytes of page content held in memory at once by all requests together (pages being read or written to slow
    /// clients, stream batches): PageByteBudget-sized slots; a page that finds them all taken waits for one. Default 64 MiB.
    /// </summary>
    [Range(64 * 1024, 64L * 1024 * 1024 * 1024)]
    public long MaxContentBytesInFlight { get; set; } = 64 * 1024 * 1024;

    /// <summary>Public base URL of this server, used in links it returns (app portal). Default: the request's own scheme and host.</summary>
    [Url]
    public string? PublicUrl { get; set; }
}
