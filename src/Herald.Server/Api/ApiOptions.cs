using System.ComponentModel.DataAnnotations;

namespace Herald.Server.Api;

/// <summary>Limits of the REST API. Bound from <c>Herald:Api</c>.</summary>
public sealed class ApiOptions
{
    public const string Section = "Herald:Api";

    /// <summary>Largest request body accepted; larger ones get 413. Default 1 MiB.</summary>
    [Range(1024, 64L * 1024 * 1024)]
    public long MaxRequestBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>Public base URL of this server, used in links it returns (app portal). Default: the request's own scheme and host.</summary>
    [Url]
    public string? PublicUrl { get; set; }
}
