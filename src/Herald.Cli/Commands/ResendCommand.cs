using System.CommandLine;

namespace Herald.Cli.Commands;

/// <summary><c>herald resend --app --msg --endpoint</c>.</summary>
internal static class ResendCommand
{
    public static Command Create(CliContext context)
    {
        var app = CommonOptions.App();
        var message = new Option<string>("--msg") { Description = "Message id (msg_...) or event id.", Required = true };
        var endpoint = new Option<string>("--endpoint") { Description = "Endpoint id (ep_...) or uid.", Required = true };
        var command = new Command("resend", "Deliver a message to an endpoint again (a new attempt, e.g. after fixing the receiver).") { app, message, endpoint };
        command.SetAction(context.Run(async (r, herald, ct) =>
        {
            await herald.Attempts.ResendAsync(r.GetRequiredValue(app), r.GetRequiredValue(message), r.GetRequiredValue(endpoint), cancellationToken: ct);
            await context.Output.WriteLineAsync($"resending {r.GetRequiredValue(message)} to {r.GetRequiredValue(endpoint)}");
            return HeraldCli.Ok;
        }));
        return command;
    }
}
