using System.ComponentModel;
using Herald.Server.Api;
using Herald.Server.Auth;
using Herald.Server.Storage;

namespace Herald.Server.Applications;

internal static class ApplicationsApi
{
    public const int MaxThrottleRate = 100_000;

    public static RouteGroupBuilder MapApplications(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/app").WithTags("Applications").RequireAdmin(writesOnly: true);
        group.MapGet("/", ListAsync).RequireAdmin().WithSummary("List applications (admin).")
            .WithDescription("Oldest first unless order=descending; paged with limit and iterator. The exclude_apps_with_* filters leave out applications by their endpoints. Admin tokens only.");
        group.MapPost("/", CreateAsync).Accepts<ApplicationIn>("application/json")
            .WithSummary("Create an application; with get_if_exists=true, return the one with the same uid instead of failing.")
            .WithDescription("Answers 201 with the new application. A uid already taken is a 409, unless get_if_exists=true, which answers 200 with the existing one unchanged.");
        group.MapGet("/{app_id}", Get).WithSummary("Get an application by id or uid.")
            .WithDescription("`app_id` is the `app_…` id or the uid given at creation.");
        group.MapPut("/{app_id}", UpsertAsync).Accepts<ApplicationIn>("application/json")
            .WithSummary("Replace an application, or create it with this uid.")
            .WithDescription("Replaces the application with the body. When nothing has this id or uid, creates the application with `app_id` as its uid (201); else 200.");
        group.MapPatch("/{app_id}", PatchAsync).Accepts<ApplicationIn>("application/json").WithSummary("Change some fields of an application.")
            .WithDescription("Only the fields present in the body change; a field sent as null is cleared (name cannot be).");
        group.MapDelete("/{app_id}", DeleteAsync).WithSummary("Delete an application and everything in it.")
            .WithDescription("Deletes it for good, with its endpoints, messages, attempts and app-portal tokens; answers 204.");
        return group;
    }

    public static void Validate(Validator v, ApplicationIn input, string at = "body", bool partial = false)
    {
        if (!partial || input.Name is not null)
        {
            v.Text($"{at}.name", input.Name, Validator.MaxNameLength, required: true, singleLine: true);
        }

        v.Identifier($"{at}.uid", input.Uid, forbiddenPrefix: Ids.Application)
            .Range($"{at}.throttleRate", input.ThrottleRate, 1, MaxThrottleRate)
            .Range($"{at}.rateLimit", input.RateLimit, 1, MaxThrottleRate)
            .Metadata($"{at}.metadata", input.Metadata);
    }

    private static async Task<Ok<ListResponse<ApplicationOut>>> ListAsync([AsParameters] ApplicationListQuery query, HttpContext context, IApplicationStore store)
    {
        context.User.RequireAdmin();
        var page = Paging.Parse(query, key => Ids.IsValid(Ids.Application, key), descendingByDefault: false);
        var filter = new ApplicationFilter(query.ExcludeAppsWithNoEndpoints == true, query.ExcludeAppsWithDisabledEndpoints == true, query.ExcludeAppsWithSvixPlayEndpoints == true);
        var result = await store.ListApplicationsAsync(filter, page, context.RequestAborted);
        return TypedResults.Ok(Paging.ToResponse(result, a => a.Id, ApplicationOut.From));
    }

    private static async Task<Results<Created<ApplicationOut>, Ok<ApplicationOut>>> CreateAsync(
        HttpContext context, IApplicationStore store, Ids ids, TimeProvider time,
        [Description("true answers 200 with the existing application when the uid is taken, instead of a 409 (default false).")] bool? get_if_exists)
    {
        context.User.RequireAdmin();
        using var body = await JsonBody.ReadAsync(context.Request, HeraldJsonContext.Api.ApplicationIn, context.RequestAborted);
        var input = body.Value;
        var v = new Validator();
        Validate(v, input);
        v.ThrowIfInvalid();

        if (get_if_exists == true && input.Uid is not null && await store.GetApplicationAsync(input.Uid, context.RequestAborted) is { } existing)
        {
            return TypedResults.Ok(ApplicationOut.From(existing));
        }

        var application = NewApplication(input, ids, time);
        try
        {
            await store.CreateApplicationAsync(application, context.RequestAborted);
        }
        catch (StorageConflictException) when (get_if_exists == true && input.Uid is not null)
        {
            // Lost a race with a concurrent create of the same uid: theirs is the one to return.
            var winner = await store.GetApplicationAsync(input.Uid, context.RequestAborted);
            if (winner is null)
            {
                throw;
            }

            return TypedResults.Ok(ApplicationOut.From(winner));
        }

        return TypedResults.Created($"/api/v1/app/{application.Id}", ApplicationOut.From(application));
    }

    private static Ok<ApplicationOut> Get(CurrentApplication app) => TypedResults.Ok(ApplicationOut.From(app.Value));

    private static async Task<Results<Created<ApplicationOut>, Ok<ApplicationOut>>> UpsertAsync(
        string app_id, CurrentApplication app, HttpContext context, IApplicationStore store, Ids ids, TimeProvider time)
    {
        // None only for an admin: an application token got ApiAccess's 404 for an app that does not exist, as for another
        // app that does (answering 403 for the one it cannot create would tell it which uids other applications have).
        var existing = app.ValueOrNull;
        context.User.RequireAdmin();
        using var body = await JsonBody.ReadAsync(context.Request, HeraldJsonContext.Api.ApplicationIn, context.RequestAborted);
        var input = body.Value;
        var v = new Validator();
        Validate(v, input);
        if (existing is null)
        {
            v.Identifier("path.app_id", app_id, forbiddenPrefix: Ids.Application);
            if (input.Uid is not null && input.Uid != app_id)
            {
                v.Add("body.uid", "invalid_value", "must equal the app_id of the path when the application is created.");
            }
        }

        v.ThrowIfInvalid();
        if (existing is null)
        {
            var created = NewApplication(input with { Uid = app_id }, ids, time);
            await store.CreateApplicationAsync(created, context.RequestAborted);
            return TypedResults.Created($"/api/v1/app/{created.Id}", ApplicationOut.From(created));
        }

        var updated = existing with
        {
            Name = input.Name!,
            Uid = input.Uid,
            ThrottleRate = input.Throttle,
            Metadata = input.Metadata ?? [],
            UpdatedAt = time.Now(),
        };
        await store.UpdateApplicationAsync(updated, context.RequestAborted);
        return TypedResults.Ok(ApplicationOut.From(updated));
    }

    private static async Task<Ok<ApplicationOut>> PatchAsync(CurrentApplication app, HttpContext context, IApplicationStore store, TimeProvider time)
    {
        var existing = app.Value;
        context.User.RequireAdmin();
        using var body = await JsonBody.ReadAsync(context.Request, HeraldJsonContext.Api.ApplicationIn, context.RequestAborted);
        var input = body.Value;
        var v = new Validator();
        if (body.Has("name") && input.Name is null)
        {
            v.Add("body.name", "missing", "cannot be null.");
        }

        Validate(v, input, partial: true);
        v.ThrowIfInvalid();
        var updated = existing with
        {
            Name = input.Name ?? existing.Name,
            Uid = body.Has("uid") ? input.Uid : existing.Uid,
            ThrottleRate = body.Has("throttleRate") || body.Has("rateLimit") ? input.Throttle : existing.ThrottleRate,
            Metadata = body.Has("metadata") ? input.Metadata ?? [] : existing.Metadata,
            UpdatedAt = time.Now(),
        };
        await store.UpdateApplicationAsync(updated, context.RequestAborted);
        return TypedResults.Ok(ApplicationOut.From(updated));
    }

    private static async Task<NoContent> DeleteAsync(CurrentApplication app, HttpContext context, IApplicationStore store)
    {
        var existing = app.Value;
        context.User.RequireAdmin();
        await store.DeleteApplicationAsync(existing.Id, context.RequestAborted);
        return TypedResults.NoContent();
    }

    /// <summary>
    /// Creates the application a request names by uid, when the request carries its definition (publishing a
    /// message or asking portal access for an app that does not exist yet, as Svix allows). Null when it cannot.
    /// </summary>
    public static async Task<Application?> CreateOnTheFlyAsync(
        string appUid, ApplicationIn? input, IApplicationStore store, Ids ids, TimeProvider time, CancellationToken cancellationToken)
    {
        if (input is null || Ids.IsValid(Ids.Application, appUid) || !Validator.IdentifierPattern().IsMatch(appUid))
        {
            return null;
        }

        if (input.Uid is not null && input.Uid != appUid)
        {
            throw ApiException.Invalid("body.application.uid", "invalid_value", "must equal the app_id of the path.");
        }

        var application = NewApplication(input with { Uid = appUid }, ids, time);
        try
        {
            await store.CreateApplicationAsync(application, cancellationToken);
            return application;
        }
        catch (StorageConflictException)
        {
            return await store.GetApplicationAsync(appUid, cancellationToken);
        }
    }

    public static Application NewApplication(ApplicationIn input, Ids ids, TimeProvider time)
    {
        var now = time.Now();
        return new Application
        {
            Id = ids.New(Ids.Application),
            Uid = input.Uid,
            Name = input.Name!,
            ThrottleRate = input.Throttle,
            Metadata = input.Metadata ?? [],
            CreatedAt = now,
            UpdatedAt = now,
        };
    }
}
