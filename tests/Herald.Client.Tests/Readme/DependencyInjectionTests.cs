using Herald.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Herald.Client.Tests.Readme;

public sealed class DependencyInjectionTests : IDisposable
{
    private readonly HeraldApplication _server = new();

    public void Dispose() => _server.Dispose();

    [Fact]
    public async Task TypedHttpClientRegistration_FromTheReadme_ResolvesAWorkingClient()
    {
        var services = new ServiceCollection();
        services.AddSingleton(new HeraldClientOptions { Token = HeraldApplication.AdminToken });
        services.AddHttpClient<HeraldClient>(http => http.BaseAddress = new Uri("http://herald:8071"))
            .ConfigurePrimaryHttpMessageHandler(() => _server.Server.CreateHandler());
        await using var provider = services.BuildServiceProvider();

        var herald = provider.GetRequiredService<HeraldClient>();

        Assert.Equal("Acme", (await herald.Applications.CreateAsync(new ApplicationIn { Name = "Acme" })).Name);
    }
}
