using Herald.Cli.Tests.Infrastructure;
using Herald.Client;

namespace Herald.Cli.Tests.Commands;

public sealed class FifoAndVerificationCommandTests(HeraldServer server) : IClassFixture<HeraldServer>
{
    [Fact]
    public async Task EndpointsCreate_WithFifoAndSkip_CreatesAFifoEndpoint_AndResumeFifoAnswers()
    {
        using var herald = server.CreateClient();
        await herald.Applications.CreateAsync(new ApplicationIn { Name = "Fifo", Uid = "cli-fifo" });

        var created = await CliRun.RunAsync(server, "endpoints", "create", "--app", "cli-fifo", "--url", "https://example.com/ordered",
            "--uid", "ordered", "--fifo", "--fifo-on-exhaustion", "skip");
        var resumed = await CliRun.RunAsync(server, "endpoints", "resume-fifo", "--app", "cli-fifo", "ordered");

        Assert.Equal(0, created.ExitCode);
        var endpoint = await herald.Endpoints.GetAsync("cli-fifo", "ordered");
        Assert.Equal((true, FifoExhaustion.Skip), (endpoint.Fifo, endpoint.FifoOnExhaustion));
        Assert.Equal((0, "resumed ordered\n"), (resumed.ExitCode, resumed.Output.ReplaceLineEndings("\n")));
    }

    [Fact]
    public async Task EndpointsCreate_FifoOnExhaustionWithoutFifo_IsAUsageError()
    {
        var result = await CliRun.RunAsync(server, "endpoints", "create", "--app", "whatever", "--url", "https://example.com/x", "--fifo-on-exhaustion", "skip");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--fifo-on-exhaustion needs --fifo", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EndpointsCreate_WithAnUnknownVerificationMethod_IsAUsageError()
    {
        var result = await CliRun.RunAsync(server, "endpoints", "create", "--app", "whatever", "--url", "https://example.com/x", "--verification", "magic");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("magic", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EndpointsVerify_OnAHandshakeEndpoint_PrintsItsStatus()
    {
        using var herald = server.CreateClient();
        await herald.Applications.CreateAsync(new ApplicationIn { Name = "Verify", Uid = "cli-verify" });
        var created = await CliRun.RunAsync(server, "endpoints", "create", "--app", "cli-verify", "--url", "https://receiver.invalid/hooks",
            "--uid", "checked", "--verification", "handshake");

        var verify = await CliRun.RunAsync(server, "endpoints", "verify", "--app", "cli-verify", "checked");

        Assert.Equal(0, created.ExitCode);
        Assert.Equal("handshake", (await herald.Endpoints.GetAsync("cli-verify", "checked")).Verification!.Method);
        Assert.Equal(0, verify.ExitCode);
        Assert.Contains("(handshake)", verify.Output, StringComparison.Ordinal);
    }
}
