using System.CommandLine;
using Herald.Cli.Output;
using Herald.Client;

namespace Herald.Cli.Commands;

/// <summary><c>herald apps list|get|create|delete</c>.</summary>
internal static class ApplicationsCommand
{
    private static readonly string[] Headers = ["ID", "UID", "NAME", "CREATED"];

    public static Command Create(CliContext context)
    {
        var json = context.Options.Json;
        return new Command("apps", "Applications: the tenants messages are published to.")
        {
            List(context, json),
            Get(context, json),
            CreateApp(context, json),
            Delete(context),
        };
    }

    private static IReadOnlyList<string> Row(ApplicationOut app) => [app.Id, app.Uid ?? "", app.Name, Printer.Time(app.CreatedAt)];

    private static Command List(CliContext context, Option<bool> json)
    {
        var limit = CommonOptions.Limit();
        var iterator = CommonOptions.Iterator();
        var command = new Command("list", "List applications, oldest first.") { limit, iterator };
        command.SetAction(context.Run(async (r, herald, ct) =>
        {
            var page = await herald.Applications.ListAsync(new ListOptions { Limit = r.GetValue(limit), Iterator = r.GetValue(iterator) }, ct);
            Printer.List(context, r.GetValue(json), page, Headers, Row);
            return HeraldCli.Ok;
        }));
        return command;
    }

    private static Command Get(CliContext context, Option<bool> json)
    {
        var app = new Argument<string>("app") { Description = "Application id (app_...) or uid." };
        var command = new Command("get", "Show one application.") { app };
        command.SetAction(context.Run(async (r, herald, ct) =>
        {
            Printer.One(context, r.GetValue(json), await herald.Applications.GetAsync(r.GetRequiredValue(app), ct), Headers, Row);
            return HeraldCli.Ok;
        }));
        return command;
    }

    private static Command CreateApp(CliContext context, Option<bool> json)
    {
        var name = new Option<string>("--name") { Description = "Display name.", Required = true };
        var uid = new Option<string>("--uid") { Description = "Your own id for it, usable wherever an app id is (letters, digits, -_.)." };
        uid.Validators.Add(OptionRules.Uid);
        var command = new Command("create", "Create an application.") { name, uid };
        command.SetAction(context.Run(async (r, herald, ct) =>
        {
            var created = await herald.Applications.CreateAsync(new ApplicationIn { Name = r.GetRequiredValue(name), Uid = r.GetValue(uid) }, cancellationToken: ct);
            Printer.One(context, r.GetValue(json), created, Headers, Row);
            return HeraldCli.Ok;
        }));
        return command;
    }

    private static Command Delete(CliContext context)
    {
        var app = new Argument<string>("app") { Description = "Application id (app_...) or uid." };
        var command = new Command("delete", "Delete an application with its endpoints and messages.") { app };
        command.SetAction(context.Run(async (r, herald, ct) =>
        {
            await herald.Applications.DeleteAsync(r.GetRequiredValue(app), ct);
            await CommonOptions.PrintDoneAsync(context, r, "deleted", r.GetRequiredValue(app));
            return HeraldCli.Ok;
        }));
        return command;
    }
}
