using System.Security.Cryptography;
using System.Text;
using Herald.Server.Api;
using Herald.Server.Auth;
using Herald.Server.Storage;
using Herald.Server.Diagnostics;

namespace Herald.Server.Idempotency;

/// <summary>
/// <c>Idempotency-Key</c> on POST: the first request with a key (per caller, for 24 h) runs and its response is
/// stored; a repeat gets that response back (with <c>Idempotent-Replayed: true</c>) and changes nothing. The
/// key is claimed in storage before the request runs, so two racing requests cannot both apply: the second
/// waits for the first's answer. Reusing a key for a different request is refused (409). Responses of 5xx
/// are not kept, so a failed request can be retried with the same key. Routes whose answer holds a secret
/// (<see cref="SecretInAnswer"/>) run as if the request had no key: nothing of them is stored.
/// </summary>
internal sealed partial class IdempotencyMiddleware(
    RequestDelegate next, IIdempotencyStore store, IdempotencyCompletion completion, TimeProvider time, ILogger<IdempotencyMiddleware> logger)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(24);
    private static readonly TimeSpan WaitForFirst = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(25);
    private const int MaxKeyLength = 256;

    public async Task InvokeAsync(HttpContext context)
    {
        string? key = context.Request.Headers["Idempotency-Key"];
        if (!HttpMethods.IsPost(context.Request.Method) || string.IsNullOrEmpty(key) || context.User.Identity?.IsAuthenticated != true
            || context.GetEndpoint()?.Metadata.GetMetadata<SecretInAnswer>() is not null)
        {
            await next(context);
            return;
        }

        if (key.Length > MaxKeyLength || key.Any(char.IsControl))
        {
            await ApiErrorHandling.WriteAsync(context, StatusCodes.Status400BadRequest, "invalid_idempotency_key", $"Idempotency-Key must be 1 to {MaxKeyLength} printable characters.");
            return;
        }

        byte[] fingerprint;
        try
        {
            fingerprint = await FingerprintAsync(context.Request);
        }
        catch (ApiException e)
        {
            await ApiErrorHandling.ToResult(e).ExecuteAsync(context);
            return;
        }

        var pending = new IdempotencyRecord { Caller = context.User.TokenId(), Key = key, Fingerprint = fingerprint, CreatedAt = time.Now() };
        var deadline = time.Now() + WaitForFirst;
        while (true)
        {
            var existing = await store.TryBeginIdempotentRequestAsync(pending, time.Now() - Lifetime, context.RequestAborted);
            if (existing is null)
            {
                await RunAndRememberAsync(context, pending);
                return;
            }

            if (!CryptographicOperations.FixedTimeEquals(existing.Fingerprint, fingerprint))
            {
                await ApiErrorHandling.WriteAsync(context, StatusCodes.Status409Conflict, "idempotency_key_reused",
                    "This Idempotency-Key was already used for a different request; use a new key for a new request.");
                return;
            }

            if (existing.Completed)
            {
                await ReplayAsync(context, existing);
                return;
            }

            if (time.Now() >= deadline)
            {
                await ApiErrorHandling.WriteAsync(context, StatusCodes.Status409Conflict, "idempotency_request_in_progress",
                    "A request with this Idempotency-Key is still being processed; retry later.");
                return;
            }

            await Task.Delay(PollInterval, time, context.RequestAborted);
        }
    }

    private async Task RunAndRememberAsync(HttpContext context, IdempotencyRecord pending)
    {
        var original = context.Response.Body;
        using var buffer = new MemoryStream();
        context.Response.Body = buffer;
        var completed = false;
        try
        {
            await next(context);
            if (context.Response.StatusCode < 500)
            {
                var record = pending with
                {
                    Completed = true,
                    StatusCode = context.Response.StatusCode,
                    ContentType = context.Response.ContentType,
                    Location = context.Response.Headers.Location.ToString() is { Length: > 0 } location ? location : null,
                    Body = buffer.ToArray(),
                };
                try
                {
                    await store.CompleteIdempotentRequestAsync(record, CancellationToken.None);
                }
                catch (Exception e) when (StorageFailure.Classify(e) is not null)
                {
                    // The request took effect (e.g. the message is stored): answer what happened, and save the record once
                    // storage is back. Abandoning the claim instead would let a retry with this key apply it a second time.
                    LogCompletionDeferred(logger, context.Request.Path);
                    completion.Defer(record);
                }

                completed = true;
            }
        }
        finally
        {
            if (!completed)
            {
                await store.AbandonIdempotentRequestAsync(pending.Caller, pending.Key, CancellationToken.None);
            }

            context.Response.Body = original;
        }

        buffer.Position = 0;
        await buffer.CopyToAsync(original, context.RequestAborted);
    }

    private async Task ReplayAsync(HttpContext context, IdempotencyRecord record)
    {
        LogReplay(logger, context.Request.Path);
        context.Response.StatusCode = record.StatusCode;
        context.Response.ContentType = record.ContentType;
        context.Response.Headers["Idempotent-Replayed"] = "true";
        if (record.Location is not null)
        {
            context.Response.Headers.Location = record.Location;
        }
        if (record.Body is { Length: > 0 } body)
        {
            await context.Response.Body.WriteAsync(body, context.RequestAborted);
        }
    }

    /// <summary>What makes two requests "the same": method, path, query and body bytes.</summary>
    private static async Task<byte[]> FingerprintAsync(HttpRequest request)
    {
        request.EnableBuffering();
        var body = await JsonBody.ReadBytesAsync(request, request.HttpContext.RequestAborted);
        request.Body.Position = 0;
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes($"{request.Method} {request.Path}{request.QueryString}\n"));
        hash.AppendData(body);
        return hash.GetHashAndReset();
    }

    [LoggerMessage(EventId = EventIds.IdempotentCompletionDeferred, Level = LogLevel.Warning, Message = "The answer to an idempotent request to {Path} is saved later: storage failed after the request took effect")]
    private static partial void LogCompletionDeferred(ILogger logger, PathString path);

    [LoggerMessage(EventId = EventIds.IdempotentReplay, Level = LogLevel.Information, Message = "Replayed the stored response of an idempotent request to {Path}")]
    private static partial void LogReplay(ILogger logger, PathString path);
}
