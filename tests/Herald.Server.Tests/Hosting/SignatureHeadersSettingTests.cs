using Herald.Server.Tests.Infrastructure;

namespace Herald.Server.Tests.Hosting;

/// <summary><c>Herald:Delivery:SignatureHeaders</c> is checked at start: a value that names no header set stops the process.</summary>
public sealed class SignatureHeadersSettingTests
{
    [Fact]
    public async Task UnknownSignatureHeaders_StopsTheServerAtStartup_WithAMessageNamingTheSetting()
    {
        var data = Directory.CreateTempSubdirectory("herald-headers").FullName;
        try
        {
            await using var herald = await HeraldProcess.StartAsync(
                data, new Dictionary<string, string> { ["Herald__Delivery__SignatureHeaders"] = "Neither" }, waitUntilHealthy: false);

            var exitCode = await herald.WaitForExitAsync(TimeSpan.FromSeconds(60));

            Assert.NotEqual(0, exitCode);
            Assert.Contains("SignatureHeaders", herald.Output, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }
}
