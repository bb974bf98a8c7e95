using System.Text;
using Herald.Server.Transformations;
using Microsoft.Extensions.Options;

namespace Herald.Server.Tests.Transformations;

/// <summary>The sandbox under attack: every script here tries to escape a limit, and each must end as a recorded failure.</summary>
public sealed class TransformationSandboxTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 30, 8, 0, 0, TimeSpan.Zero);

    // Generous time: the CI machine is shared and cold; the attacks below are stopped by the other limits first.
    private static TransformationSandbox Sandbox(Action<TransformationOptions>? configure = null)
    {
        var options = new TransformationOptions { TimeLimit = TimeSpan.FromSeconds(10) };
        configure?.Invoke(options);
        return new TransformationSandbox(Options.Create(options));
    }

    private static TransformationInput Input(string payload = """{"amount": 42}""") =>
        new("https://example.com/hook", "invoice.paid", Encoding.UTF8.GetBytes(payload), new Dictionary<string, string> { ["x-team"] = "billing" }, Now);

    [Fact]
    public void Run_HandlerChangingEverything_ReturnsTheNewRequest()
    {
        var result = Sandbox().Run("""
            function handler(webhook) {
              webhook.url = webhook.url + '/' + webhook.eventType;
              webhook.method = 'PUT';
              webhook.payload = { total: webhook.payload.amount * 2 };
              webhook.headers['x-extra'] = 'yes';
              return webhook;
            }
            """, Input());

        Assert.Null(result.Error);
        Assert.Equal("https://example.com/hook/invoice.paid", result.Url);
        Assert.Equal("PUT", result.Method);
        Assert.Equal("""{"total":84}""", Encoding.UTF8.GetString(result.Body));
        Assert.Equal("billing", result.Headers["x-team"]);
        Assert.Equal("yes", result.Headers["x-extra"]);
        Assert.False(result.Canceled);
    }

    [Fact]
    public void Run_InfiniteLoop_FailsOnTheStatementLimit()
    {
        var result = Sandbox().Run("function handler(webhook) { while (true) {} }", Input());

        Assert.Contains("statements", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_InfiniteLoopUnderAHighStatementLimit_FailsOnTheTimeLimit()
    {
        var result = Sandbox(o => (o.TimeLimit, o.StatementLimit) = (TimeSpan.FromMilliseconds(200), 100_000_000))
            .Run("function handler(webhook) { for (;;) {} }", Input());

        Assert.Contains("time limit", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("var s = 'x'; for (;;) { s = s + s; }")]
    [InlineData("var a = []; for (;;) { a.push({ filler: 'xxxxxxxxxxxxxxxx' }); }")]
    [InlineData("return new Array(2 ** 31).length;")]
    [InlineData("return 'x'.repeat(2 ** 28).length;")]
    [InlineData("return ''.padStart(2 ** 28, 'x').length;")]
    [InlineData("return new Uint8Array(2 ** 30).length;")]
    [InlineData("return new ArrayBuffer(2 ** 30).byteLength;")]
    public void Run_HugeAllocation_Fails(string body)
    {
        var result = Sandbox(o => o.StatementLimit = 100_000_000).Run($"function handler(webhook) {{ {body} }}", Input());

        Assert.NotNull(result.Error);
    }

    [Fact]
    public void Run_DeepRecursion_FailsOnTheRecursionLimit()
    {
        var result = Sandbox().Run("function handler(webhook) { function down(n) { return down(n + 1); } return down(0); }", Input());

        Assert.Contains("recursion limit", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_PrototypePollution_DoesNotReachTheNextRun()
    {
        var sandbox = Sandbox();
        const string Code = """
            function handler(webhook) {
              webhook.payload.before = ({}).polluted === undefined ? 'clean' : 'polluted';
              Object.prototype.polluted = true;
              Array.prototype.push = function () { throw new Error('hijacked'); };
              globalThis.leak = 'yes';
              return webhook;
            }
            """;

        sandbox.Run(Code, Input());
        var second = sandbox.Run(Code + "\nvar again = typeof leak;", Input());

        Assert.Null(second.Error);
        Assert.Contains("\"before\":\"clean\"", Encoding.UTF8.GetString(second.Body), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("return typeof System + typeof importNamespace + typeof require + typeof fetch + typeof setTimeout + typeof XMLHttpRequest;", "undefinedundefinedundefinedundefinedundefinedundefined")]
    public void Run_HostAccess_IsAbsent(string body, string expected)
    {
        var result = Sandbox().Run($"function handler(webhook) {{ webhook.payload = {{ seen: (function () {{ {body} }})() }}; return webhook; }}", Input());

        Assert.Equal($$"""{"seen":"{{expected}}"}""", Encoding.UTF8.GetString(result.Body));
    }

    [Theory]
    [InlineData("eval('1')")]
    [InlineData("new Function('return 1')()")]
    [InlineData("Math.random()")]
    public void Run_StringCompilationOrRandomness_Fails(string expression)
    {
        var result = Sandbox().Run($"function handler(webhook) {{ webhook.payload = {{ v: {expression} }}; return webhook; }}", Input());

        Assert.NotNull(result.Error);
    }

    [Fact]
    public void Run_Clock_ReadsThePassedInTime()
    {
        var result = Sandbox().Run("function handler(webhook) { webhook.payload = { at: new Date().toISOString(), ms: Date.now() }; return webhook; }", Input());

        Assert.Equal($$"""{"at":"2026-11-30T08:00:00.000Z","ms":{{Now.ToUnixTimeMilliseconds()}}}""", Encoding.UTF8.GetString(result.Body));
    }

    [Theory]
    [InlineData("function handler(webhook) { throw new Error('boom'); }", "boom")]
    [InlineData("function handler(webhook) { }", "must return the webhook object")]
    [InlineData("function handler(webhook) { webhook.method = 'DELETE'; return webhook; }", "POST, PUT or PATCH")]
    [InlineData("function handler(webhook) { webhook.url = 'ftp://example.com'; return webhook; }", "http(s) URL")]
    [InlineData("function handler(webhook) { webhook.headers['webhook-signature'] = 'v1,forged'; return webhook; }", "webhook-signature")]
    [InlineData("var notAHandler = 1;", "defines no function handler")]
    public void Run_BadScript_FailsSayingWhy(string code, string expected)
    {
        var result = Sandbox().Run(code, Input());

        Assert.Contains(expected, result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_Cancel_ReturnsCanceled()
    {
        var result = Sandbox().Run("function handler(webhook) { webhook.cancel = webhook.payload.amount < 100; return webhook; }", Input());

        Assert.Null(result.Error);
        Assert.True(result.Canceled);
    }
}
