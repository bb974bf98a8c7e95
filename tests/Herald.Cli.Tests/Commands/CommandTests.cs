using Herald.Cli.Tests.Infrastructure;
using Herald.Client;

namespace Herald.Cli.Tests.Commands;

public sealed class CommandTests(HeraldServer server) : IClassFixture<HeraldServer>
{
    [Fact]
    public async Task Send_PublishesTheMessage_WithTheGivenPayload()
    {
        using var herald = server.CreateClient();
        await herald.Applications.CreateAsync(new ApplicationIn { Name = "Send", Uid = "cli-send" });

        var result = await CliRun.RunAsync(server, "send", "--app", "cli-send", "--event-type", "invoice.paid", "--data", """{"invoice": 1001}""", "--json");

        Assert.Equal(0, result.ExitCode);
        var id = JsonDocument.Parse(result.Output).RootElement.GetProperty("id").GetString()!;
        var stored = await herald.Messages.GetAsync("cli-send", id);
        Assert.Equal("invoice.paid", stored.EventType);
        Assert.Equal(1001, stored.Payload.GetProperty("invoice").GetInt32());
    }

    [Fact]
    public async Task Send_DataFromFile_IsPublished_AndATablePrintsItsId()
    {
        using var herald = server.CreateClient();
        await herald.Applications.CreateAsync(new ApplicationIn { Name = "Send file", Uid = "cli-send-file" });
        var file = Path.GetTempFileName();
        await File.WriteAllTextAsync(file, """{"order": 7}""");

        var result = await CliRun.RunAsync(server, "send", "--app", "cli-send-file", "--event-type", "order.created", "--data", "@" + file);

        Assert.Equal(0, result.ExitCode);
        var listed = await herald.Messages.ListAsync("cli-send-file");
        var message = Assert.Single(listed.Data);
        Assert.Contains(message.Id, result.Output, StringComparison.Ordinal);
        Assert.Equal(7, message.Payload.GetProperty("order").GetInt32());
    }

    [Fact]
    public async Task Send_InvalidJson_IsAUsageError()
    {
        var result = await CliRun.RunAsync(server, "send", "--app", "whatever", "--event-type", "x", "--data", "{not json");

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("error: --data is not valid JSON", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AppsCreateThenListJson_ShowsTheApplication()
    {
        var created = await CliRun.RunAsync(server, "apps", "create", "--name", "Listed", "--uid", "cli-listed");
        var listed = await CliRun.RunAsync(server, "apps", "list", "--json", "--limit", "250");

        Assert.Equal(0, created.ExitCode);
        Assert.Equal(0, listed.ExitCode);
        var apps = JsonDocument.Parse(listed.Output).RootElement.GetProperty("data").EnumerateArray();
        Assert.Contains(apps, app => app.GetProperty("uid").GetString() == "cli-listed" && app.GetProperty("name").GetString() == "Listed");
    }

    [Fact]
    public async Task AppsGet_Unknown_PrintsTheApiErrorAndExits1()
    {
        var result = await CliRun.RunAsync(server, "apps", "get", "no-such-app");

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("error: not_found: ", result.Error, StringComparison.Ordinal);
        Assert.Equal("", result.Output);
    }

    [Fact]
    public async Task ServerDown_IsAFailure_WithOneClearLine()
    {
        var result = await CliRun.RunAsync(null, "apps", "list", "--server", "http://127.0.0.1:9", "--token", "x");

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("error: cannot reach the Herald server at http://127.0.0.1:9", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("apps", "list", "--no-such-option")]
    [InlineData("send", "--app", "a")]
    [InlineData("attempts", "list", "--app", "a")]
    [InlineData("frobnicate")]
    public async Task UsageErrors_Exit2(params string[] args)
    {
        var result = await CliRun.RunAsync(null, args);

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("error: ", result.Error, StringComparison.Ordinal);
    }

    // The published Standard Webhooks vector (docs/DELIVERY.md).
    [Theory]
    [InlineData("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", 0)]
    [InlineData("v1,bm9wZQ== v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", 0)]
    [InlineData("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OF=", 1)]
    [InlineData("v2,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", 1)]
    public async Task Verify_ChecksTheSignature(string signature, int expectedExitCode)
    {
        var body = Path.GetTempFileName();
        await File.WriteAllTextAsync(body, """{"test": 2432232314}""");

        var result = await CliRun.RunAsync(
            null, "verify", "--secret", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "--id", "msg_p5jXN8AQM9LWM0D4loKWxJek",
            "--timestamp", "1614265330", "--signature", signature, "--body", "@" + body);

        Assert.Equal(expectedExitCode, result.ExitCode);
    }

    [Fact]
    public async Task Verify_BadSecret_IsAUsageError()
    {
        var result = await CliRun.RunAsync(null, "verify", "--secret", "whsec_!!", "--id", "m", "--timestamp", "1", "--signature", "v1,x", "--body", "{}");

        Assert.Equal(2, result.ExitCode);
    }
}
