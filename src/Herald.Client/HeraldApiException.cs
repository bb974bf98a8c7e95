using System.Net;

namespace Herald.Client;

/// <summary>
/// The server refused a request or failed it: any answer outside 2xx. Carries the API's error body
/// <c>{code, detail}</c>, e.g. <c>404 not_found</c>, <c>409 conflict</c>; for <c>422 validation_error</c> the body's
/// <c>detail</c> is Svix's list of problems, given here as <see cref="Errors"/> and summed up in <see cref="Detail"/>.
/// </summary>
public sealed class HeraldApiException : Exception
{
    /// <summary>Creates the exception for an error answer.</summary>
    /// <param name="statusCode">The HTTP status of the answer.</param>
    /// <param name="code">The API's machine-readable error code.</param>
    /// <param name="detail">The API's explanation, for people.</param>
    /// <param name="errors">The individual problems of a validation error; empty otherwise.</param>
    public HeraldApiException(HttpStatusCode statusCode, string code, string detail, IReadOnlyList<ValidationError>? errors = null)
        : base($"Herald answered {(int)statusCode} {code}: {detail}")
    {
        StatusCode = statusCode;
        Code = code;
        Detail = detail;
        Errors = errors ?? [];
    }

    /// <summary>The HTTP status of the answer.</summary>
    public HttpStatusCode StatusCode { get; }

    /// <summary>Machine-readable error code, e.g. <c>not_found</c>, <c>conflict</c>, <c>validation_error</c>, <c>unauthorized</c>.</summary>
    public string Code { get; }

    /// <summary>What went wrong, for people.</summary>
    public string Detail { get; }

    /// <summary>For a validation error (422), each problem of the request; empty otherwise.</summary>
    public IReadOnlyList<ValidationError> Errors { get; }
}
