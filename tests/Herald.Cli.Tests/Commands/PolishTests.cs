using Herald.Cli.Output;
using Herald.Cli.Tests.Infrastructure;
using Herald.Client;

namespace Herald.Cli.Tests.Commands;

/// <summary>What makes the CLI pleasant in a terminal and dependable in a script: JSON, suggestions, validation, colours, errors.</summary>
public sealed class PolishTests(HeraldServer server) : IClassFixture<HeraldServer>
{
    private const string Escape = "\u001b[";

    [Fact]
    public async Task Json_IsParseable_AndNotEscapedBeyondWhatJsonRequires()
    {
        using var herald = server.CreateClient();
        await herald.Applications.CreateAsync(new ApplicationIn { Name = "Quotes \"and\" <tags> & é", Uid = "cli-json-escaping" });

        var result = await CliRun.RunAsync(server, "apps", "get", "cli-json-escaping", "--json");
        var sent = await CliRun.RunAsync(server, "send", "--app", "cli-json-escaping", "--event-type", "note", "--data", """{"text": "it's <b>\"bold\"</b> café"}""", "--json");

        Assert.Equal("Quotes \"and\" <tags> & é", JsonDocument.Parse(result.Output).RootElement.GetProperty("name").GetString());
        Assert.Contains("""
            "Quotes \"and\" <tags> & é"
            """, result.Output, StringComparison.Ordinal);
        Assert.Equal("it's <b>\"bold\"</b> café", JsonDocument.Parse(sent.Output).RootElement.GetProperty("payload").GetProperty("text").GetString());
        Assert.DoesNotContain("\\u00", sent.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("\\u00", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Json_Errors_AreJsonOnStderr()
    {
        var result = await CliRun.RunAsync(server, "apps", "get", "no-such-app", "--json");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("", result.Output);
        Assert.Equal("not_found", JsonDocument.Parse(result.Error).RootElement.GetProperty("code").GetString());
    }

    [Fact]
    public async Task Json_DeleteAndVerify_PrintJsonNotProse()
    {
        await CliRun.RunAsync(server, "apps", "create", "--name", "Doomed", "--uid", "cli-json-delete");
        var body = Path.GetTempFileName();
        await File.WriteAllTextAsync(body, """{"test": 2432232314}""");

        var deleted = await CliRun.RunAsync(server, "apps", "delete", "cli-json-delete", "--json");
        var verified = await CliRun.RunAsync(
            null, "verify", "--secret", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "--id", "msg_p5jXN8AQM9LWM0D4loKWxJek", "--timestamp", "1614265330",
            "--signature", "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", "--body", "@" + body, "--json");

        Assert.Equal("cli-json-delete", JsonDocument.Parse(deleted.Output).RootElement.GetProperty("deleted").GetString());
        Assert.Equal(0, verified.ExitCode);
        Assert.True(JsonDocument.Parse(verified.Output).RootElement.GetProperty("valid").GetBoolean());
    }

    [Theory]
    [InlineData("'lisen'", "'listen'", "lisen", "--app", "a")]
    [InlineData("'lst'", "'list'", "apps", "lst")]
    [InlineData("'--jsn'", "'--json'", "apps", "list", "--jsn")]
    [InlineData("'--frm-start'", "'--from-start'", "listen", "--app", "a", "--forward-to", "http://localhost:3000", "--frm-start")]
    public async Task Typo_IsAUsageError_ThatSuggestsTheNearestName(string typo, string suggestion, params string[] args)
    {
        var result = await CliRun.RunAsync(null, args);

        Assert.Equal(2, result.ExitCode);
        var line = result.Error.Split('\n')[0];
        Assert.Contains(typo, line, StringComparison.Ordinal);
        Assert.EndsWith($"Did you mean {suggestion}?", line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--timestamp must be Unix seconds", "verify", "--secret", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "--id", "m", "--timestamp", "notanumber", "--signature", "v1,x", "--body", "{}")]
    [InlineData("--secret must be whsec_", "verify", "--secret", "whsec_!!", "--id", "m", "--timestamp", "1", "--signature", "v1,x", "--body", "{}")]
    [InlineData("--limit must be a whole number from 1 to 250, not '0'", "apps", "list", "--limit", "0")]
    [InlineData("--limit must be a whole number from 1 to 250, not 'ten'", "apps", "list", "--limit", "ten")]
    [InlineData("--forward-to must be an absolute http:// or https:// URL, not 'localhost:3000'", "listen", "--app", "a", "--forward-to", "localhost:3000")]
    [InlineData("--since must be an ISO 8601 time", "listen", "--app", "a", "--forward-to", "http://localhost:3000", "--since", "yesterday")]
    [InlineData("give --from-start or --since, not both", "listen", "--app", "a", "--forward-to", "http://localhost:3000", "--since", "1h", "--from-start")]
    [InlineData("--name must be 1-256 letters", "listen", "--app", "a", "--forward-to", "http://localhost:3000", "--name", "my listener")]
    [InlineData("--wait must be a duration", "resend", "--app", "a", "--msg", "m", "--endpoint", "e", "--wait", "soon")]
    [InlineData("--server must be an absolute http:// or https:// URL", "apps", "list", "--server", "localhost:8071")]
    [InlineData("--example must be a whole number from 0 to 1000", "trigger", "x", "--app", "a", "--example", "-1")]
    public async Task InvalidOption_IsRefusedBeforeAnythingIsSent_NamingTheOption(string message, params string[] args)
    {
        var result = await CliRun.RunAsync(null, args);

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("error: " + message, result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ServerDown_NamesHeraldUrl()
    {
        var result = await CliRun.RunAsync(null, "apps", "list", "--server", "http://127.0.0.1:9", "--token", "x");

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("error: cannot reach the Herald server at http://127.0.0.1:9 (--server)", result.Error, StringComparison.Ordinal);
        Assert.Contains("HERALD_URL", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NoToken_SaysToSetHeraldToken()
    {
        await using var cli = CliProcess.StartHerald(["apps", "list"], new Dictionary<string, string?>
        {
            ["HERALD_URL"] = server.BaseAddress.ToString(),
            ["HERALD_TOKEN"] = null,
            ["HERALD_SERVER_URL"] = null,
        });
        await cli.WaitForExitAsync();

        Assert.Equal(1, cli.ExitCode);
        Assert.StartsWith("error: unauthorized: no API token: set HERALD_TOKEN (or pass --token)", cli.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Authorization", cli.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WrongToken_SaysWhereTheTokenCameFrom()
    {
        await using var cli = CliProcess.StartHerald(["apps", "list"], new Dictionary<string, string?>
        {
            ["HERALD_URL"] = server.BaseAddress.ToString(),
            ["HERALD_TOKEN"] = "not-the-token",
        });
        await cli.WaitForExitAsync();

        Assert.Equal(1, cli.ExitCode);
        Assert.StartsWith("error: unauthorized: the server refused the token from $HERALD_TOKEN", cli.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false, null, "xterm-256color", true)]
    [InlineData(false, "", "xterm", true)]
    [InlineData(false, null, null, true)]
    [InlineData(true, null, "xterm", false)]
    [InlineData(false, "1", "xterm", false)]
    [InlineData(false, "0", "xterm", false)]
    [InlineData(false, null, "dumb", false)]
    public void Colour_OnlyOnATerminal_WithoutNoColor(bool redirected, string? noColor, string? term, bool expected) =>
        Assert.Equal(expected, Ansi.ShouldColour(redirected, noColor, term));

    [Fact]
    public async Task Colour_OnATerminal_ColoursTheTable_AndNoColorTurnsItOff()
    {
        string[] args = ["apps", "list", "--server", server.BaseAddress.ToString(), "--token", HeraldServer.AdminToken];
        await using var coloured = CliProcess.StartHeraldInTerminal(args, new Dictionary<string, string?> { ["TERM"] = "xterm", ["NO_COLOR"] = null });
        await using var plain = CliProcess.StartHeraldInTerminal(args, new Dictionary<string, string?> { ["TERM"] = "xterm", ["NO_COLOR"] = "1" });
        await coloured.WaitForExitAsync();
        await plain.WaitForExitAsync();

        // .NET itself writes a keypad-mode sequence (ESC[?1h) to a terminal; colours are the SGR sequences, ESC[...m.
        Assert.Contains(Escape + "1mID", coloured.Output, StringComparison.Ordinal);
        Assert.Contains("ID  UID  NAME  CREATED", plain.Output, StringComparison.Ordinal);
        Assert.DoesNotMatch(@"\u001b\[[0-9;]*m", plain.Output);
    }

    [Fact]
    public async Task Colour_WhenPiped_NoEscapeCodes_EvenForErrors()
    {
        await using var cli = CliProcess.StartHerald(
            ["apps", "get", "no-such-app", "--server", server.BaseAddress.ToString(), "--token", HeraldServer.AdminToken],
            new Dictionary<string, string?> { ["TERM"] = "xterm", ["NO_COLOR"] = null });
        await cli.WaitForExitAsync();

        Assert.Equal(1, cli.ExitCode);
        Assert.StartsWith("error: not_found", cli.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("\u001b", cli.Output, StringComparison.Ordinal);
    }
}
