using Herald.Server.Api;
using Herald.Server.Storage;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace Herald.Server.Auth;

/// <summary>
/// Makes sure an admin token exists before the first request. An operator-preset token
/// (<c>Herald__Auth__AdminToken</c>) is stored by hash; otherwise, on the very first start only, Herald
/// generates one and prints it once to the console — never through the logger, so it lands in no log sink.
/// </summary>
internal static class AdminTokenBootstrap
{
    public static async Task EnsureAdminTokenAsync(this WebApplication app, CancellationToken cancellationToken)
    {
        var store = app.Services.GetRequiredService<IHeraldStore>();
        var ids = app.Services.GetRequiredService<Ids>();
        var now = app.Services.GetRequiredService<TimeProvider>().GetUtcNow();
        var preset = app.Services.GetRequiredService<IOptions<AuthOptions>>().Value.AdminToken;

        if (preset is not null)
        {
            var hash = TokenHashing.Hash(preset);
            if (await store.FindTokenAsync(hash, cancellationToken) is null)
            {
                try
                {
                    await store.AddTokenAsync(new ApiToken { Id = ids.New(Ids.Token), Hash = hash, CreatedAt = now }, cancellationToken);
                }
                catch (StorageConflictException)
                {
                    // Nodes of a cluster starting together: another one stored the same preset token first.
                }
            }

            return;
        }

        if (await store.AnyAdminTokenAsync(cancellationToken))
        {
            return;
        }

        var token = TokenHashing.NewToken(TokenHashing.AdminPrefix);
        await store.AddTokenAsync(new ApiToken { Id = ids.New(Ids.Token), Hash = TokenHashing.Hash(token), CreatedAt = now }, cancellationToken);
        app.Lifetime.ApplicationStarted.Register(() => PrintFirstStartBanner(app, token));
    }

    private static void PrintFirstStartBanner(WebApplication app, string token)
    {
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
            ?? "http://localhost:8071";
        Console.Out.WriteLine($"""

            ================================================================================
             Herald is running for the first time. Your admin API token (shown only once;
             only its hash is stored — keep it somewhere safe):

                 {token}

             API:            {address}/api/v1
             API reference:  {address}/docs
             Try it:         curl -H "Authorization: Bearer $HERALD_TOKEN" {address}/api/v1/app
            ================================================================================

            """);
    }
}
