namespace Herald.Server.Api;

/// <summary>
/// Minimal-API binding answers a malformed <c>bool?</c> query parameter with a bare 400 that does not say which
/// one. This check runs first and refuses it precisely: 422 naming the parameter and the accepted values.
/// </summary>
internal static class BooleanQueryCheck
{
    private static readonly string[] Names = ["get_if_exists", "include_archived", "with_content", "with_msg", "expunge", "expanded_statuses"];

    public static IApplicationBuilder UseBooleanQueryCheck(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        foreach (var name in Names)
        {
            if (context.Request.Query.TryGetValue(name, out var values) && !values.All(v => bool.TryParse(v, out _)))
            {
                await ApiErrorHandling.ToResult(ApiException.Invalid($"query.{name}", "invalid_boolean", "must be true or false.")).ExecuteAsync(context);
                return;
            }
        }

        await next(context);
    });
}
