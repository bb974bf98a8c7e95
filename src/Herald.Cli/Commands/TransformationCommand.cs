using System.CommandLine;
using Herald.Cli.Output;
using Herald.Client;

namespace Herald.Cli.Commands;

/// <summary><c>herald endpoints transformation show|set|remove|simulate --app</c>: the JavaScript run on each webhook before it is sent.</summary>
internal static class TransformationCommand
{
    private static readonly string[] Headers = ["ENABLED", "UPDATED", "CODE"];

    public static Command Create(CliContext context, Option<bool> json) =>
        new("transformation", "An endpoint's transformation: JavaScript defining handler(webhook) that may change each webhook's URL, "
            + "method, headers and body, or cancel it, before it is sent (docs/DELIVERY.md).")
        {
            Show(context, json),
            Set(context),
            Remove(context),
            Simulate(context, json),
        };

    private static Argument<string> EndpointArgument() => new("endpoint") { Description = "Endpoint id (ep_...) or uid." };

    private static Option<string> CodeOption(string description) => new("--code") { Description = description };

    private static Command Show(CliContext context, Option<bool> json)
    {
        var app = CommonOptions.App();
        var endpoint = EndpointArgument();
        var command = new Command("show", "Print the endpoint's transformation code and whether it runs.") { app, endpoint };
        command.SetAction(context.Run(async (r, herald, ct) =>
        {
            var transformation = await herald.Endpoints.GetTransformationAsync(r.GetRequiredValue(app), r.GetRequiredValue(endpoint), ct);
            Printer.One(context, r.GetValue(json), transformation, Headers, t =>
                [t.Enabled ? "yes" : "no", t.UpdatedAt is { } at ? Printer.Time(at) : "never", t.Code is null ? "(none)" : FirstLine(t.Code)]);
            if (!r.GetValue(json) && transformation.Code is { } code)
            {
                await context.Output.WriteLineAsync();
                await context.Output.WriteLineAsync(code);
            }

            return HeraldCli.Ok;
        }));
        return command;
    }

    private static Command Set(CliContext context)
    {
        var app = CommonOptions.App();
        var endpoint = EndpointArgument();
        var code = CodeOption("The JavaScript, inline or @file.js; it must define function handler(webhook).");
        var enabled = new Option<bool?>("--enabled") { Description = "Run it before each attempt (true) or not (false); default true when --code is given." };
        var command = new Command("set", "Set the endpoint's transformation code, or turn it on or off.") { app, endpoint, code, enabled };
        command.Validators.Add(result =>
        {
            if (result.GetValue(code) is null && result.GetValue(enabled) is null)
            {
                result.AddError("give --code, --enabled, or both.");
            }
        });
        command.SetAction(context.Run(async (r, herald, ct) =>
        {
            var source = r.GetValue(code) is { } value ? await InlineOrFile.ReadTextAsync(value, ct) : null;
            var patch = new EndpointTransformationPatch { Code = source, Enabled = r.GetValue(enabled) ?? (source is not null ? true : null) };
            await herald.Endpoints.PatchTransformationAsync(r.GetRequiredValue(app), r.GetRequiredValue(endpoint), patch, ct);
            await PrintStateAsync(context, r, r.GetRequiredValue(endpoint), patch.Enabled switch { true => "on", false => "off", null => "code set" });
            return HeraldCli.Ok;
        }));
        return command;
    }

    private static Command Remove(CliContext context)
    {
        var app = CommonOptions.App();
        var endpoint = EndpointArgument();
        var command = new Command("remove", "Remove the endpoint's transformation: webhooks go out as published.") { app, endpoint };
        command.SetAction(context.Run(async (r, herald, ct) =>
        {
            await herald.Endpoints.RemoveTransformationCodeAsync(r.GetRequiredValue(app), r.GetRequiredValue(endpoint), ct);
            await PrintStateAsync(context, r, r.GetRequiredValue(endpoint), "removed");
            return HeraldCli.Ok;
        }));
        return command;
    }

    private static Command Simulate(CliContext context, Option<bool> json)
    {
        var app = CommonOptions.App();
        var endpoint = EndpointArgument();
        var code = CodeOption("The JavaScript to try, inline or @file.js; default: the endpoint's current code.");
        var eventType = new Option<string>("--event-type") { Description = "The event type the webhook carries.", Required = true };
        var data = new Option<string>("--data") { Description = "The payload: a JSON object, inline or @file.json.", Required = true };
        var command = new Command("simulate", "Run transformation code on a payload for this endpoint and print the webhook it would make; sends nothing.")
        {
            app, endpoint, code, eventType, data,
        };
        command.SetAction(context.Run(async (r, herald, ct) =>
        {
            var appId = r.GetRequiredValue(app);
            var endpointId = r.GetRequiredValue(endpoint);
            var source = r.GetValue(code) is { } value
                ? await InlineOrFile.ReadTextAsync(value, ct)
                : (await herald.Endpoints.GetTransformationAsync(appId, endpointId, ct)).Code
                    ?? throw new UsageException("the endpoint has no transformation code; give --code.");
            var result = await herald.Endpoints.SimulateTransformationAsync(appId, endpointId, new TransformationSimulateIn
            {
                Code = source,
                EventType = r.GetRequiredValue(eventType),
                Payload = await InlineOrFile.ReadObjectAsync(r.GetRequiredValue(data), ct),
            }, ct);
            if (r.GetValue(json))
            {
                await context.Output.WriteLineAsync(Printer.JsonLine(result));
            }
            else if (result.Cancel)
            {
                await context.Output.WriteLineAsync("canceled: the handler set cancel = true; nothing would be sent.");
            }
            else
            {
                await context.Output.WriteLineAsync($"{result.Method} {result.Url}");
                foreach (var (name, headerValue) in result.Headers)
                {
                    await context.Output.WriteLineAsync($"{name}: {headerValue}");
                }

                await context.Output.WriteLineAsync();
                await context.Output.WriteLineAsync(result.Payload);
            }

            return HeraldCli.Ok;
        }));
        return command;
    }

    private static Task PrintStateAsync(CliContext context, ParseResult parseResult, string endpoint, string state) =>
        context.Json(parseResult)
            ? context.Output.WriteLineAsync(Printer.JsonLine(new Dictionary<string, string> { ["endpoint"] = endpoint, ["transformation"] = state }))
            : context.Output.WriteLineAsync($"transformation of {endpoint}: {state}");

    private static string FirstLine(string code)
    {
        var line = code.AsSpan().TrimStart();
        var end = line.IndexOfAny('\r', '\n');
        return (end < 0 ? line : line[..end]).ToString() + (end < 0 ? "" : " …");
    }
}
