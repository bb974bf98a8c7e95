using Herald.Server.Storage;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.WebUtilities;
using Herald.Server.Diagnostics;

namespace Herald.Server.Api;

/// <summary>Turns every refusal and every unexpected failure into a JSON <see cref="ErrorBody"/> (a 422 into a <see cref="ValidationErrorBody"/>).</summary>
internal static partial class ApiErrorHandling
{
    /// <summary>
    /// Endpoint filter of the API group: <see cref="ApiException"/> and storage conflicts become 4xx answers, storage
    /// outages 503 <c>storage_unavailable</c> or 507 <c>storage_full</c> with Retry-After (<see cref="StorageFailure"/>).
    /// </summary>
    public static async ValueTask<object?> Filter(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context);
        }
        catch (ApiException e)
        {
            return ToResult(e);
        }
        catch (StorageConflictException e)
        {
            return ToResult(ApiException.Conflict(ConflictDetail(e.Field)));
        }
        catch (CountLimitExceededException e)
        {
            // A 422 in the validation shape, which the Svix SDKs read; the code and the message name the limit and its setting.
            return ToResult(new ApiException(StatusCodes.Status422UnprocessableEntity, "limit_exceeded", e.Message, [ValidationItem.At("body", "limit_exceeded", e.Message)]));
        }
        catch (Exception e) when (StorageFailure.Classify(e) is { } failure && !context.HttpContext.Response.HasStarted)
        {
            var http = context.HttpContext;
            // The cause without the stack: during an outage every request fails the same way.
            LogStorageFailure(http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ApiErrorHandling)), failure, http.Request.Method, http.Request.Path, e.Message);
            return ToResult(StorageOutage(http, failure));
        }
    }

    /// <summary>
    /// The answer to a storage outage: 503 <c>storage_unavailable</c> (the database cannot be reached or used) or 507
    /// <c>storage_full</c> (its disk is full), with Retry-After (5 s and 30 s: <see cref="StorageFailure.RetryAfter"/>).
    /// The request changed nothing: a write either commits whole or fails with this answer.
    /// </summary>
    public static ApiException StorageOutage(HttpContext context, StorageFailureKind failure)
    {
        context.Response.Headers.RetryAfter = ((int)StorageFailure.RetryAfter(failure).TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return failure == StorageFailureKind.Full
            ? new ApiException(StatusCodes.Status507InsufficientStorage, "storage_full",
                "Herald's storage is full, so nothing was stored; retry once an operator has freed disk space.")
            : new ApiException(StatusCodes.Status503ServiceUnavailable, "storage_unavailable",
                "Herald's storage is unavailable right now, so nothing was stored; retry later.");
    }

    public static IResult ToResult(ApiException e) => e.Errors is { } errors
        ? TypedResults.Json(new ValidationErrorBody(e.Code, errors), HeraldJsonContext.Api.ValidationErrorBody, statusCode: e.Status)
        : TypedResults.Json(new ErrorBody(e.Code, e.Detail), HeraldJsonContext.Api.ErrorBody, statusCode: e.Status);

    private static string ConflictDetail(string field) => field switch
    {
        "uid" => "Another object already uses this uid.",
        "event_id" => "A message with this eventId already exists in this application.",
        "name" => "An event type with this name already exists.",
        _ => $"Another object already has this {field}.",
    };

    private static Task WriteAsync(HttpContext context, ApiException e) => WriteAsync(context, e.Status, e.Code, e.Detail);

    public static Task WriteAsync(HttpContext context, int status, string code, string detail)
    {
        context.Response.StatusCode = status;
        return context.Response.WriteAsJsonAsync(new ErrorBody(code, detail), HeraldJsonContext.Api.ErrorBody);
    }

    /// <summary>
    /// Handles what escapes the endpoint filter: oversized or unreadable bodies, storage outages met by middleware
    /// (authentication, idempotency keys) and true bugs (500, never with internals).
    /// </summary>
    public static IApplicationBuilder UseHeraldErrorHandling(this IApplicationBuilder app)
    {
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            StatusCodeSelector = e => e switch
            {
                BadHttpRequestException b => b.StatusCode,
                _ when StorageFailure.Classify(e) is { } failure => failure == StorageFailureKind.Full
                    ? StatusCodes.Status507InsufficientStorage
                    : StatusCodes.Status503ServiceUnavailable,
                _ => StatusCodes.Status500InternalServerError,
            },
            ExceptionHandler = context =>
            {
                var error = context.Features.Get<IExceptionHandlerFeature>()?.Error;
                return error switch
                {
                    BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } =>
                        WriteAsync(context, 413, "payload_too_large", "The request body is larger than this server accepts."),
                    BadHttpRequestException b => WriteAsync(context, b.StatusCode, "bad_request", "The request could not be read."),
                    _ when StorageFailure.Classify(error) is { } failure => WriteAsync(context, StorageOutage(context, failure)),
                    _ => WriteAsync(context, 500, "internal_error", "Herald failed to handle this request; the error is logged."),
                };
            },
        });

        // Requests that match no route or method get a JSON body too.
        app.UseStatusCodePages(async statusContext =>
        {
            var context = statusContext.HttpContext;
            var (code, detail) = context.Response.StatusCode switch
            {
                404 => ("not_found", "No such route."),
                405 => ("method_not_allowed", $"{context.Request.Method} is not allowed on this route."),
                400 => ("bad_request", "A query or route parameter is malformed."),
                401 => ("unauthorized", "Missing or invalid bearer token."),
                403 => ("forbidden", "This token may not use this route."),
                415 => ("unsupported_media_type", "Send JSON with content-type: application/json."),
                var s => ("http_" + s, ReasonPhrases.GetReasonPhrase(s)),
            };
            await context.Response.WriteAsJsonAsync(new ErrorBody(code, detail), HeraldJsonContext.Api.ErrorBody);
        });
        return app;
    }

    [LoggerMessage(EventId = EventIds.ApiStorageFailure, Level = LogLevel.Warning, Message = "Storage {Failure} while handling {Method} {Path}; answered with Retry-After: {Cause}")]
    private static partial void LogStorageFailure(ILogger logger, StorageFailureKind failure, string method, PathString path, string cause);
}
