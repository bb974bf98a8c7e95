using Herald.Cli.Tests.Infrastructure;
using Herald.Client;

namespace Herald.Cli.Tests.Commands;

public sealed class TransformationCommandTests(HeraldServer server) : IClassFixture<HeraldServer>
{
    private const string Wrap = "function handler(webhook) { webhook.payload = { wrapped: webhook.payload }; webhook.method = 'PUT'; return webhook; }";

    private async Task<HeraldClient> CreateAppWithEndpointAsync(string uid)
    {
        var herald = server.CreateClient();
        await herald.Applications.CreateAsync(new ApplicationIn { Name = uid, Uid = uid });
        await herald.Endpoints.CreateAsync(uid, new EndpointIn { Url = "https://example.com/hooks", Uid = "main" });
        return herald;
    }

    [Fact]
    public async Task TransformationSet_CodeFromFile_IsStoredEnabled_AndShowPrintsIt()
    {
        using var herald = await CreateAppWithEndpointAsync("cli-tf-set");
        var file = Path.GetTempFileName();
        await File.WriteAllTextAsync(file, Wrap);

        var set = await CliRun.RunAsync(server, "endpoints", "transformation", "set", "--app", "cli-tf-set", "main", "--code", "@" + file);
        var show = await CliRun.RunAsync(server, "endpoints", "transformation", "show", "--app", "cli-tf-set", "main");

        Assert.Equal((0, "transformation of main: on\n"), (set.ExitCode, set.Output.ReplaceLineEndings("\n")));
        var stored = await herald.Endpoints.GetTransformationAsync("cli-tf-set", "main");
        Assert.Equal((Wrap, true), (stored.Code, stored.Enabled));
        Assert.Equal(0, show.ExitCode);
        Assert.Contains(Wrap, show.Output, StringComparison.Ordinal);
        File.Delete(file);
    }

    [Fact]
    public async Task TransformationSetEnabledFalse_ThenRemove_TurnsItOffThenClearsTheCode()
    {
        using var herald = await CreateAppWithEndpointAsync("cli-tf-off");
        await herald.Endpoints.PatchTransformationAsync("cli-tf-off", "main", new EndpointTransformationPatch { Code = Wrap, Enabled = true });

        var off = await CliRun.RunAsync(server, "endpoints", "transformation", "set", "--app", "cli-tf-off", "main", "--enabled", "false");
        var afterOff = await herald.Endpoints.GetTransformationAsync("cli-tf-off", "main");
        var removed = await CliRun.RunAsync(server, "endpoints", "transformation", "remove", "--app", "cli-tf-off", "main", "--json");
        var afterRemove = await herald.Endpoints.GetTransformationAsync("cli-tf-off", "main");

        Assert.Equal((0, Wrap, false), (off.ExitCode, afterOff.Code, afterOff.Enabled));
        Assert.Equal(0, removed.ExitCode);
        Assert.Equal("removed", JsonDocument.Parse(removed.Output).RootElement.GetProperty("transformation").GetString());
        Assert.Equal((null, false), (afterRemove.Code, afterRemove.Enabled));
    }

    [Fact]
    public async Task TransformationSet_WithNeitherCodeNorEnabled_IsAUsageError()
    {
        var result = await CliRun.RunAsync(server, "endpoints", "transformation", "set", "--app", "whatever", "main");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("give --code, --enabled, or both", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TransformationSet_CodeWithoutHandler_PrintsTheApiErrorAndExits1()
    {
        using var herald = await CreateAppWithEndpointAsync("cli-tf-bad");

        var result = await CliRun.RunAsync(server, "endpoints", "transformation", "set", "--app", "cli-tf-bad", "main", "--code", "var x = 1; // no handler");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("handler", result.Error, StringComparison.Ordinal);
        Assert.Null((await herald.Endpoints.GetTransformationAsync("cli-tf-bad", "main")).Code);
    }

    [Fact]
    public async Task TransformationSimulate_WithTheStoredCode_PrintsTheWebhookItWouldSend()
    {
        using var herald = await CreateAppWithEndpointAsync("cli-tf-sim");
        await herald.Endpoints.PatchTransformationAsync("cli-tf-sim", "main", new EndpointTransformationPatch { Code = Wrap, Enabled = true });

        var text = await CliRun.RunAsync(server, "endpoints", "transformation", "simulate", "--app", "cli-tf-sim", "main",
            "--event-type", "invoice.paid", "--data", """{"invoice": 7}""");
        var json = await CliRun.RunAsync(server, "endpoints", "transformation", "simulate", "--app", "cli-tf-sim", "main",
            "--event-type", "invoice.paid", "--data", """{"invoice": 7}""", "--json");

        Assert.Equal(0, text.ExitCode);
        Assert.StartsWith("PUT https://example.com/hooks", text.Output, StringComparison.Ordinal);
        Assert.Contains("""{"wrapped":{"invoice":7}}""", text.Output, StringComparison.Ordinal);
        var result = JsonDocument.Parse(json.Output).RootElement;
        Assert.Equal(("PUT", false), (result.GetProperty("method").GetString(), result.GetProperty("cancel").GetBoolean()));
        Assert.Empty((await herald.Messages.ListAsync("cli-tf-sim")).Data);
    }

    [Fact]
    public async Task EventTypesCreate_WithASchemaFile_StoresItAsVersion1()
    {
        using var herald = server.CreateClient();
        var file = Path.GetTempFileName();
        await File.WriteAllTextAsync(file, """{"type": "object", "required": ["invoice"], "properties": {"invoice": {"type": "integer"}}}""");

        var result = await CliRun.RunAsync(server, "event-types", "create", "--name", "cli.schema.created", "--schema", "@" + file);

        Assert.Equal(0, result.ExitCode);
        var stored = await herald.EventTypes.GetAsync("cli.schema.created");
        Assert.Equal("integer", stored.Schemas!.Value.GetProperty("1").GetProperty("properties").GetProperty("invoice").GetProperty("type").GetString());
        File.Delete(file);
    }

    [Fact]
    public async Task EventTypesCreate_WithASchemaThatIsNotAnObject_IsAUsageError()
    {
        var result = await CliRun.RunAsync(server, "event-types", "create", "--name", "cli.schema.bad", "--schema", "[1, 2]");

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("error: --schema must be a JSON object", result.Error, StringComparison.Ordinal);
    }
}
