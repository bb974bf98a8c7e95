using System.CommandLine;
using Herald.Cli.Listen;

namespace Herald.Cli.Commands;

/// <summary><c>herald verify</c>: checks a captured webhook's signature; exit 0 valid, 1 invalid.</summary>
internal static class VerifyCommand
{
    public static Command Create(CliContext context)
    {
        var secret = new Option<string>("--secret") { Description = "The endpoint's signing secret (whsec_...).", Required = true, HelpName = "whsec_..." };
        var id = new Option<string>("--id") { Description = "The webhook-id header.", Required = true };
        var timestamp = new Option<string>("--timestamp") { Description = "The webhook-timestamp header (Unix seconds).", Required = true };
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
            if (key.Verify(r.GetRequiredValue(id), r.GetRequiredValue(timestamp), r.GetRequiredValue(signature), bytes))
            {
                await context.Output.WriteLineAsync("valid: the signature matches the secret, id, timestamp and body.");
                return HeraldCli.Ok;
            }

            await context.Error.WriteLineAsync("invalid: no v1 signature matches (wrong secret, or the id, timestamp or body differ from what was signed).");
            return HeraldCli.Failed;
        }));
        return command;
    }
}
