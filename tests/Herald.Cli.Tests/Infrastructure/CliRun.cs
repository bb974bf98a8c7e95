namespace Herald.Cli.Tests.Infrastructure;

/// <summary>What one in-process run of the CLI printed and returned.</summary>
public sealed record CliResult(int ExitCode, string Output, string Error);

/// <summary>Runs the CLI's command tree in-process, against a test server when one is given.</summary>
public static class CliRun
{
    public static async Task<CliResult> RunAsync(HeraldServer? server, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        string[] connection = server is null ? [] : ["--server", server.BaseAddress.ToString(), "--token", HeraldServer.AdminToken];
        var exitCode = await HeraldCli.RunAsync([.. args, .. connection], output, error);
        return new CliResult(exitCode, output.ToString(), error.ToString());
    }
}
