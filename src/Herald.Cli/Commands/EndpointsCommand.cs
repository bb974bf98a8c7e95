using System.CommandLine;
using Herald.Cli.Output;
using Herald.Client;

namespace Herald.Cli.Commands;

/// <summary><c>herald endpoints list|create|delete|secret|resume-fifo|verify|transformation --app</c>.</summary>
internal static class EndpointsCommand
{
    private static readonly string[] Headers = ["ID", "UID", "URL", "EVENT TYPES", "DISABLED"];

    public static Command Create(CliContext context)
    {
        var json = context.Options.Json;
        return new Command("endpoints", "Webhook endpoints of an application: the URLs Herald delivers its messages to.")
        {
            List(context, json),
            CreateEndpoint(context, json),
            Delete(context),
            Secret(context, json),
            ResumeFifo(context),
            Verify(context, json),
            TransformationCommand.Create(context, json),
        };
    }

    private static IReadOnlyList<string> Row(EndpointOut endpoint) =>
        [endpoint.Id, endpoint.Uid ?? "", endpoint.Url, Printer.Join(endpoint.EventTypes), endpoint.Disabled ? "yes" : "no"];

    private static Command List(CliContext context, Option<bool> json)
    {
        var app = CommonOptions.App();
        var limit = CommonOptions.Limit();
        var iterator = CommonOptions.Iterator();
        var command = new Command("list", "List the application's webhook endpoints.") { app, limit, iterator };
        command.SetAction(context.Run(async (r, herald, ct) =>
        {
            var page = await herald.Endpoints.ListAsync(r.GetRequiredValue(app), new ListOptions { Limit = r.GetValue(limit), Iterator = r.GetValue(iterator) }, ct);
            Printer.List(context, r.GetValue(json), page, Headers, Row);
            return HeraldCli.Ok;
        }));
        return command;
    }

    private static Command CreateEndpoint(CliContext context, Option<bool> json)
    {
        var app = CommonOptions.App();
        var url = new Option<string>("--url") { Description = "Where to deliver: an absolute http:// or https:// URL.", Required = true };
        url.Validators.Add(OptionRules.HttpUrl);
        var eventTypes = CommonOptions.EventTypes("Deliver only these event types (comma-separated; default: all).");
        var uid = new Option<string>("--uid") { Description = "Your own id for the endpoint (letters, digits, -_.)." };
        uid.Validators.Add(OptionRules.Uid);
        var description = new Option<string>("--description") { Description = "A note for people." };
        var fifo = new Option<bool>("--fifo") { Description = "Deliver its messages strictly in sequence order, one at a time (a FIFO endpoint)." };
        var onExhaustion = new Option<string>("--fifo-on-exhaustion")
        {
            Description = "For --fifo: when a message exhausts its retries, stop the line until an operator acts (stop, the default) or skip it.",
        };
        onExhaustion.AcceptOnlyFromAmong(FifoExhaustion.Stop, FifoExhaustion.Skip);
        var verification = new Option<string>("--verification")
        {
            Description = "Prove the receiver wants the traffic before sending it: handshake (CloudEvents OPTIONS), ping (a signed challenge) "
                + "or none; default: the server's setting.",
        };
        verification.AcceptOnlyFromAmong(EndpointVerificationMethod.Handshake, EndpointVerificationMethod.Ping, EndpointVerificationMethod.None);
        var command = new Command("create", "Add a webhook endpoint to the application.") { app, url, eventTypes, uid, description, fifo, onExhaustion, verification };
        command.Validators.Add(result =>
        {
            if (result.GetValue(onExhaustion) is not null && !result.GetValue(fifo))
            {
                result.AddError("--fifo-on-exhaustion needs --fifo.");
            }
        });
        command.SetAction(context.Run(async (r, herald, ct) =>
        {
            var endpoint = new EndpointIn
            {
                Url = r.GetRequiredValue(url),
                EventTypes = CommonOptions.SplitList(r.GetValue(eventTypes)),
                Uid = r.GetValue(uid),
                Description = r.GetValue(description),
                Fifo = r.GetValue(fifo) ? true : null,
                FifoOnExhaustion = r.GetValue(onExhaustion),
                VerificationMethod = r.GetValue(verification),
            };
            var created = await herald.Endpoints.CreateAsync(r.GetRequiredValue(app), endpoint, cancellationToken: ct);
            Printer.One(context, r.GetValue(json), created, Headers, Row);
            if (created.Warning is { } warning)
            {
                await context.Error.WriteLineAsync($"{context.ErrorAnsi.Yellow("warning")}: {warning}");
            }

            return HeraldCli.Ok;
        }));
        return command;
    }

    private static Command Delete(CliContext context)
    {
        var app = CommonOptions.App();
        var endpoint = new Argument<string>("endpoint") { Description = "Endpoint id (ep_...) or uid." };
        var command = new Command("delete", "Delete a webhook endpoint.") { app, endpoint };
        command.SetAction(context.Run(async (r, herald, ct) =>
        {
            await herald.Endpoints.DeleteAsync(r.GetRequiredValue(app), r.GetRequiredValue(endpoint), ct);
            await CommonOptions.PrintDoneAsync(context, r, "deleted", r.GetRequiredValue(endpoint));
            return HeraldCli.Ok;
        }));
        return command;
    }

    private static Command Secret(CliContext context, Option<bool> json)
    {
        var app = CommonOptions.App();
        var endpoint = new Argument<string>("endpoint") { Description = "Endpoint id (ep_...) or uid." };
        var command = new Command("secret", "Print the endpoint's signing secret (whsec_...): what its receiver verifies webhooks with. "
            + "Also what to give 'herald listen --secret' so a receiver set up for this endpoint accepts forwarded events.") { app, endpoint };
        command.SetAction(context.Run(async (r, herald, ct) =>
        {
            var secret = await herald.Endpoints.GetSecretAsync(r.GetRequiredValue(app), r.GetRequiredValue(endpoint), ct);
            await context.Output.WriteLineAsync(r.GetValue(json) ? Printer.JsonLine(secret) : secret.Key);
            return HeraldCli.Ok;
        }));
        return command;
    }
    private static Command ResumeFifo(CliContext context)
    {
        var app = CommonOptions.App();
        var endpoint = new Argument<string>("endpoint") { Description = "Endpoint id (ep_...) or uid." };
        var command = new Command("resume-fifo", "Resume a FIFO endpoint whose line stopped on an exhausted message: the next message goes out.") { app, endpoint };
        command.SetAction(context.Run(async (r, herald, ct) =>
        {
            await herald.Endpoints.ResumeFifoAsync(r.GetRequiredValue(app), r.GetRequiredValue(endpoint), ct);
            await CommonOptions.PrintDoneAsync(context, r, "resumed", r.GetRequiredValue(endpoint));
            return HeraldCli.Ok;
        }));
        return command;
    }

    private static Command Verify(CliContext context, Option<bool> json)
    {
        var app = CommonOptions.App();
        var endpoint = new Argument<string>("endpoint") { Description = "Endpoint id (ep_...) or uid." };
        var command = new Command("verify", "Run the endpoint's ownership verification again and print its status; deliveries wait until it is verified.")
        {
            app, endpoint,
        };
        command.SetAction(context.Run(async (r, herald, ct) =>
        {
            var verified = await herald.Endpoints.VerifyAsync(r.GetRequiredValue(app), r.GetRequiredValue(endpoint), ct);
            var v = verified.Verification;
            await context.Output.WriteLineAsync(r.GetValue(json)
                ? Printer.JsonLine(verified)
                : v is null ? $"{verified.Id}: no verification" : $"{verified.Id}: {v.Status} ({v.Method}){(v.LastError is { } error ? ": " + error : "")}");
            return HeraldCli.Ok;
        }));
        return command;
    }
}
