
namespace Herald.Server.Api;

/// <summary>
/// A request Herald refuses, with the status, the machine-readable <see cref="Code"/> and the human
/// <see cref="Detail"/> the client gets back. Thrown by validation and lookups; turned into an
/// <see cref="ErrorBody"/> response by <see cref="ApiErrorHandling"/>.
/// </summary>
public sealed class ApiException(int status, string code, string detail, IReadOnlyList<ValidationItem>? errors = null)
    : Exception(detail)
{
    public int Status { get; } = status;
    public string Code { get; } = code;
    public string Detail { get; } = detail;
    public IReadOnlyList<ValidationItem>? Errors { get; } = errors;

    public static ApiException NotFound(string what) =>
        new(StatusCodes.Status404NotFound, "not_found", $"{what} not found.");

    public static ApiException Forbidden(string detail = "This token may not use this route.") =>
        new(StatusCodes.Status403Forbidden, "forbidden", detail);

    public static ApiException Conflict(string detail, string code = "conflict") =>
        new(StatusCodes.Status409Conflict, code, detail);

    public static ApiException BadJson(string detail) =>
        new(StatusCodes.Status400BadRequest, "invalid_json", detail);

    public static ApiException Invalid(IReadOnlyList<ValidationItem> errors) =>
        new(StatusCodes.Status422UnprocessableEntity, "validation_error", string.Join(" ", errors.Select(e => e.Describe())), errors);

    public static ApiException Invalid(string location, string type, string message) =>
        Invalid([ValidationItem.At(location, type, message)]);
}

/// <summary>One problem of a request, in the shape Svix uses: where (<c>["body","url"]</c>), what, and a machine-readable type.</summary>
public sealed record ValidationItem(IReadOnlyList<string> Loc, string Msg, string Type)
{
    /// <summary><paramref name="location"/> is dotted: <c>body.url</c>, <c>query.limit</c>.</summary>
    public static ValidationItem At(string location, string type, string message) => new(location.Split('.'), message, type);

    public string Describe() => $"{string.Join('.', Loc)}: {Msg}";
}

/// <summary>Every error response but a 422: <c>{code, detail}</c> (Svix's HttpErrorOut).</summary>
public sealed record ErrorBody(string Code, string Detail);

/// <summary>
/// A 422: Svix's HTTPValidationError, <c>{"detail": [{"loc", "msg", "type"}]}</c>, which the Svix SDKs read. Herald adds
/// <c>"code": "validation_error"</c> so every error body has a machine-readable code (the SDKs ignore extra fields).
/// </summary>
public sealed record ValidationErrorBody(string Code, IReadOnlyList<ValidationItem> Detail);
