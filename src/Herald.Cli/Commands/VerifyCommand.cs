using System.CommandLine;
using Herald.Cli.Listen;
using Herald.Cli.Output;

namespace Herald.Cli.Commands;

/// <summary><c>herald verify</c>: checks a captured webhook's signature; exit 0 valid, 1 invalid.</summary>
internal static class VerifyCommand
{
    public static Command Create(CliContext context)
    {
        var secret = new Option<string>("--secret") { Description = "The endpoint's signing secret (whsec_...).", Required = true, HelpName = "whsec_..." };
        secret.Validators.Add(OptionRules.Secret);
        var id = new Option<string>("--id") { Description = "The webhook-id header.", Required = true };
        var timestamp = new Option<string>("--timestamp") { Description = "The webhook-timestamp header (Unix seconds).", Required = true, HelpName = "seconds" };
        timestamp.Validators.Add(OptionRules.UnixSeconds);
        var signature = new Option<string>("--signature") { Description = "The webhook-signature header (one or more space-separated v1,... entries).", Required = true };
        var body = new Option<string>("--body") { Description = "The exact request body, or @file to read its bytes from a file.", Required = true, HelpName = "text|@file" };
        var command = new Command("verify", "Check a captured webhook's Standard Webhooks signature. Exits 0 when it is valid, 1 when it is not. "
            + "The timestamp's age is not checked, so old captures can be verified.")
        {
            secret, id, timestamp, signature, body,
        };
        command.SetAction(context.Run(async (r, ct) =>
        {
            var key = WebhookSecret.Parse(r.GetRequiredValue(secret));
            var bytes = await InlineOrFile.ReadBytesAsync(r.GetRequiredValue(body), ct);
            var valid = key.Verify(r.GetRequiredValue(id), r.GetRequiredValue(timestamp), r.GetRequiredValue(signature), bytes);
            if (context.Json(r))
            {
                await context.Output.WriteLineAsync(Printer.JsonLine(new { valid, id = r.GetRequiredValue(id), timestamp = r.GetRequiredValue(timestamp) }));
            }
            else if (valid)
            {
                await context.Output.WriteLineAsync($"{context.OutputAnsi.Green("valid")}: the signature matches the secret, id, timestamp and body.");
            }
            else
            {
                await context.Error.WriteLineAsync(
                    $"{context.ErrorAnsi.Red("invalid")}: no v1 signature matches (wrong secret, or the id, timestamp or body differ from what was signed).");
            }

            return valid ? HeraldCli.Ok : HeraldCli.Failed;
        }));
        return command;
    }
}
