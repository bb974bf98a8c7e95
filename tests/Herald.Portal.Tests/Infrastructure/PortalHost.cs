using System.Net.Http.Headers;
using System.Net.Sockets;
using Herald.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Playwright;

namespace Herald.Portal.Tests.Infrastructure;

/// <summary>
/// What every browser test needs, started once per test class: Herald on a real loopback port (the browser cannot
/// reach an in-memory test server), a second site on two other ports that embeds the portal as a platform would (one
/// port is in Herald:Portal:FrameAncestors, the other is not), and headless chromium from the operating system.
/// </summary>
public sealed class PortalHost : IAsyncLifetime
{
    private WebApplication? _embedder;
    private IPlaywright? _playwright;

    public HeraldApplication Herald { get; } = new();

    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>An embedding page on an origin the portal allows (in its frame-ancestors).</summary>
    public Uri AllowedEmbedder { get; private set; } = null!;

    /// <summary>The same embedding page on an origin the portal does not allow.</summary>
    public Uri OtherEmbedder { get; private set; } = null!;

    /// <summary>A webhook receiver on loopback that answers 200 "thanks from the receiver".</summary>
    public Uri Receiver { get; private set; } = null!;

    /// <summary>A webhook receiver on loopback that answers 500 "receiver is down".</summary>
    public Uri FailingReceiver { get; private set; } = null!;

    public IBrowser? Browser { get; private set; }

    /// <summary>Why the tests cannot run here (no chromium); null when they can.</summary>
    public string? Missing { get; private set; }

    /// <summary>Chromium's path: HERALD_CHROMIUM, else chromium (Debian's package) or chromium-browser on PATH.</summary>
    public static string? FindChromium() =>
        Environment.GetEnvironmentVariable("HERALD_CHROMIUM") is { Length: > 0 } path && File.Exists(path)
            ? path
            : Requirements.FindOnPath("chromium") ?? Requirements.FindOnPath("chromium-browser");

    public async Task InitializeAsync()
    {
        var chromium = FindChromium();
        if (chromium is null)
        {
            Missing = "chromium is not installed (apt-get install -y chromium, or set HERALD_CHROMIUM to its path)";
            return;
        }

        var allowedPort = FreePort();
        var otherPort = FreePort();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{allowedPort}", $"http://127.0.0.1:{otherPort}");
        _embedder = builder.Build();
        var page = await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "Infrastructure", "embed.html"));
        _embedder.MapGet("/embed", () => Results.Content(page, "text/html; charset=utf-8"));
        // A webhook receiver too, so the portal's logs show real deliveries and responses.
        _embedder.MapPost("/hook", () => Results.Text("thanks from the receiver"));
        _embedder.MapPost("/fail", () => Results.Text("receiver is down", statusCode: 500));
        await _embedder.StartAsync();
        AllowedEmbedder = new Uri($"http://127.0.0.1:{allowedPort}/embed");
        Receiver = new Uri($"http://127.0.0.1:{allowedPort}/hook");
        FailingReceiver = new Uri($"http://127.0.0.1:{allowedPort}/fail");
        OtherEmbedder = new Uri($"http://127.0.0.1:{otherPort}/embed");

        BaseAddress = new Uri($"http://127.0.0.1:{FreePort()}");
        Herald.With("urls", BaseAddress.ToString().TrimEnd('/'))
            .With("Herald:Portal:FrameAncestors:0", $"http://127.0.0.1:{allowedPort}")
            .With("Herald:Delivery:AllowedNetworks:0", "127.0.0.1/32"); // the receiver is on loopback
        Herald.UseKestrel();
        Herald.StartServer();

        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = chromium,
            Headless = true,
            // CI runs as root, where chromium's sandbox cannot start.
            Args = ["--no-sandbox"],
        });
    }

    /// <summary>A fresh browser context (no shared storage between tests) and a page in it.</summary>
    public async Task<IPage> NewPageAsync()
    {
        Requirements.Require(Missing is null, Missing ?? "");
        var context = await Browser!.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1100, Height = 720 } });
        return await context.NewPageAsync();
    }

    public HttpClient CreateAdminClient()
    {
        var client = new HttpClient { BaseAddress = BaseAddress };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", HeraldApplication.AdminToken);
        return client;
    }

    /// <summary>Saves a screenshot into docs/img for the README, so its pictures show the pages as they are.</summary>
    public static Task ScreenshotForDocsAsync(IPage page, string name) =>
        page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Requirements.RepositoryRoot, "docs", "img", name) });

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        _playwright?.Dispose();
        if (_embedder is not null)
        {
            await _embedder.DisposeAsync();
        }

        await Herald.DisposeAsync();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
