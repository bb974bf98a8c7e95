using System.Text;
using GraphQL;
using GraphQL.Transport;
using GraphQLParser;
using GraphQLParser.AST;
using GraphQLParser.Exceptions;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Herald.Server.GraphQL;

/// <summary>
/// GraphQL over HTTP (the GraphQL-over-HTTP draft): <c>POST</c> with <c>application/json</c>
/// (<c>{query, variables, operationName}</c>, or an array of them when batching is allowed) and <c>GET</c> with the same
/// as query parameters, for queries only (a mutation over GET is 405). The answer is
/// <c>application/graphql-response+json</c> when the client accepts it (then a request that could not run, such as one
/// that fails validation, is a 400), else <c>application/json</c> with 200. Requests larger than
/// <see cref="GraphQLOptions.MaxRequestBytes"/> are 413. Authentication is the REST API's: an unauthenticated request gets
/// its 401 before reaching here.
/// </summary>
internal sealed partial class GraphQLHttpEndpoint(
    IDocumentExecuter<HeraldSchema> executer, IGraphQLTextSerializer serializer, IOptions<GraphQLOptions> options, SubscriptionConnections connections,
    ILogger<GraphQLHttpEndpoint> logger)
{
    public const string Path = "/graphql";
    public const string GraphQLResponseJson = "application/graphql-response+json";
    public const string Json = "application/json";

    private readonly Func<global::GraphQL.Execution.UnhandledExceptionContext, Task> _errors = GraphQLExtensions.ErrorHandler(logger);

    public async Task HandleAsync(HttpContext context)
    {
        var limits = options.Value;
        if (HttpMethods.IsPost(context.Request.Method) && AcceptsEventStream(context.Request))
        {
            await HandleEventStreamAsync(context, limits);
            return;
        }

        var mediaType = ChooseMediaType(context.Request);
        if (mediaType is null)
        {
            await WriteErrorAsync(context, StatusCodes.Status406NotAcceptable, Json, "NOT_ACCEPTABLE", $"Accept {GraphQLResponseJson} or {Json}.");
            return;
        }

        if (HttpMethods.IsGet(context.Request.Method))
        {
            await HandleGetAsync(context, mediaType, limits);
            return;
        }

        if (context.Request.ContentType is not { } contentType || !MediaTypeHeaderValue.TryParse(contentType, out var type)
            || !type.MediaType.Equals(Json, StringComparison.OrdinalIgnoreCase))
        {
            await WriteErrorAsync(context, StatusCodes.Status415UnsupportedMediaType, mediaType, "UNSUPPORTED_MEDIA_TYPE", $"Send the request as {Json}.");
            return;
        }

        if (context.Request.ContentLength > limits.MaxRequestBytes)
        {
            await WriteTooLargeAsync(context, mediaType, limits);
            return;
        }

        var body = await ReadLimitedAsync(context.Request.Body, limits.MaxRequestBytes, context.RequestAborted);
        if (body is null)
        {
            await WriteTooLargeAsync(context, mediaType, limits);
            return;
        }

        GraphQLRequest?[]? requests;
        var batch = body.TrimStart().StartsWith('[');
        try
        {
            requests = batch ? serializer.Deserialize<GraphQLRequest?[]>(body) : [serializer.Deserialize<GraphQLRequest>(body)];
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or FormatException or InvalidOperationException or NotSupportedException)
        {
            await WriteErrorAsync(context, StatusCodes.Status400BadRequest, mediaType, "INVALID_JSON", "The body is not a GraphQL request in JSON: " + e.Message);
            return;
        }

        if (requests is null || requests.Length == 0 || requests.Any(r => r is null || string.IsNullOrWhiteSpace(r.Query)))
        {
            await WriteErrorAsync(context, StatusCodes.Status400BadRequest, mediaType, "INVALID_REQUEST", "Each request needs a `query` string.");
            return;
        }

        if (batch && requests.Length > limits.MaxBatchSize)
        {
            await WriteErrorAsync(context, StatusCodes.Status400BadRequest, mediaType, "BATCH_TOO_LARGE",
                limits.MaxBatchSize == 1 ? "Batching is off on this server: send one operation per request." : $"A batch may hold at most {limits.MaxBatchSize} operations.");
            return;
        }

        var results = new List<ExecutionResult>(requests.Length);
        foreach (var request in requests)
        {
            var result = await ExecuteAsync(context, request!, document: null);
            // A subscription's stream needs a streaming transport; it was set up but never subscribed to, so nothing runs.
            results.Add(result.Streams is { Count: > 0 }
                ? new ExecutionResult { Executed = false, Errors = [new ExecutionError($"A subscription needs a stream: POST it with Accept: {EventStream}, or use the {GraphQLWebSocketEndpoint.SubProtocol} WebSocket.") { Code = "SUBSCRIPTION_NEEDS_STREAM" }] }
                : result);
        }

        if (batch)
        {
            await WriteAsync(context, StatusCodes.Status200OK, mediaType, results.ToArray());
            return;
        }

        await WriteAsync(context, StatusFor(results[0], mediaType), mediaType, results[0]);
    }

    private async Task HandleGetAsync(HttpContext context, string mediaType, GraphQLOptions limits)
    {
        var query = context.Request.Query;
        if (context.Request.QueryString.Value?.Length > limits.MaxRequestBytes)
        {
            await WriteTooLargeAsync(context, mediaType, limits);
            return;
        }

        if (string.IsNullOrWhiteSpace(query["query"]))
        {
            await WriteErrorAsync(context, StatusCodes.Status400BadRequest, mediaType, "INVALID_REQUEST", "Pass the operation as the `query` parameter.");
            return;
        }

        var request = new GraphQLRequest { Query = query["query"], OperationName = query["operationName"] is { Count: > 0 } name && name[0] is { Length: > 0 } n ? n : null };
        try
        {
            if (query["variables"] is { Count: > 0 } variables && !string.IsNullOrEmpty(variables[0]))
            {
                request.Variables = serializer.Deserialize<Inputs>(variables[0]);
            }
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or FormatException or InvalidOperationException)
        {
            await WriteErrorAsync(context, StatusCodes.Status400BadRequest, mediaType, "INVALID_JSON", "`variables` is not a JSON object: " + e.Message);
            return;
        }

        GraphQLDocument document;
        try
        {
            document = Parser.Parse(request.Query!);
        }
        catch (GraphQLSyntaxErrorException e)
        {
            await WriteErrorAsync(context, StatusCodes.Status400BadRequest, mediaType, "SYNTAX_ERROR", e.Message);
            return;
        }

        var operations = document.Definitions.OfType<GraphQLOperationDefinition>().ToList();
        var operation = request.OperationName is { } wanted ? operations.FirstOrDefault(o => o.Name?.StringValue == wanted) : operations.Count == 1 ? operations[0] : null;
        if (operation is not null && operation.Operation != OperationType.Query)
        {
            context.Response.Headers.Allow = "POST";
            await WriteErrorAsync(context, StatusCodes.Status405MethodNotAllowed, mediaType, "METHOD_NOT_ALLOWED", $"A {operation.Operation.ToString().ToLowerInvariant()} must be sent with POST.");
            return;
        }

        var result = await ExecuteAsync(context, request, document);
        await WriteAsync(context, StatusFor(result, mediaType), mediaType, result);
    }

    private Task<ExecutionResult> ExecuteAsync(HttpContext context, GraphQLRequest request, GraphQLDocument? document) =>
        ExecuteAsync(context.User, context.RequestServices, request, document, context.RequestAborted);

    /// <summary>Runs one operation (a subscription's result holds its stream in <see cref="ExecutionResult.Streams"/>).</summary>
    internal Task<ExecutionResult> ExecuteAsync(
        System.Security.Claims.ClaimsPrincipal user, IServiceProvider services, GraphQLRequest request, GraphQLDocument? document, CancellationToken cancellationToken) =>
        executer.ExecuteAsync(new ExecutionOptions
        {
            Query = request.Query,
            Document = document,
            OperationName = request.OperationName,
            Variables = request.Variables,
            Extensions = request.Extensions,
            User = user,
            RequestServices = services,
            CancellationToken = cancellationToken,
            ValidationRules = GraphQLExtensions.ValidationRules(options.Value),
            UnhandledExceptionDelegate = _errors,
        });

    /// <summary>graphql-response+json: a request that never ran (syntax, validation, limits) is 400; application/json is always 200.</summary>
    private static int StatusFor(ExecutionResult result, string mediaType) =>
        mediaType == GraphQLResponseJson && !result.Executed ? StatusCodes.Status400BadRequest : StatusCodes.Status200OK;

    /// <summary>As the spec asks: graphql-response+json when accepted, else application/json (also when Accept is absent); null when neither is acceptable.</summary>
    private static string? ChooseMediaType(HttpRequest request)
    {
        var accept = request.GetTypedHeaders().Accept;
        if (accept.Count == 0)
        {
            return Json;
        }

        foreach (var value in accept.OrderByDescending(a => a.Quality ?? 1))
        {
            if (value.Quality == 0)
            {
                continue;
            }

            var media = value.MediaType.Value ?? "";
            if (media.Equals(GraphQLResponseJson, StringComparison.OrdinalIgnoreCase))
            {
                return GraphQLResponseJson;
            }

            if (media.Equals(Json, StringComparison.OrdinalIgnoreCase) || media is "*/*" or "application/*")
            {
                return Json;
            }
        }

        return null;
    }

    internal static async Task<string?> ReadLimitedAsync(Stream body, int maxBytes, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    private Task WriteTooLargeAsync(HttpContext context, string mediaType, GraphQLOptions limits) =>
        WriteErrorAsync(context, StatusCodes.Status413PayloadTooLarge, mediaType, "REQUEST_TOO_LARGE", $"A GraphQL request may be at most {limits.MaxRequestBytes} bytes.");

    private Task WriteErrorAsync(HttpContext context, int status, string mediaType, string code, string message) =>
        WriteAsync(context, status, mediaType, new ExecutionResult { Errors = [new ExecutionError(message) { Code = code }] });

    private async Task WriteAsync(HttpContext context, int status, string mediaType, object result)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = mediaType + "; charset=utf-8";
        await serializer.WriteAsync(context.Response.Body, result, context.RequestAborted);
    }
}
