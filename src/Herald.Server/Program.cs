using Herald.Server.Api;
using Herald.Server.Auth;
using Herald.Server.Auth.OAuth;
using Herald.Server.BackgroundTasks;
using Herald.Server.Delivery;
using Herald.Server.Diagnostics;
using Herald.Server.GraphQL;
using Herald.Server.Health;
using Herald.Server.Hosting;
using Herald.Server.Portal;
using Herald.Server.RateLimits;
using Herald.Server.Retention;
using Herald.Server.Storage;

var verbose = args.Contains("--verbose"); // start-up failures with their stack trace
try
{
    var builder = HeraldHost.CreateBuilder(args); // appsettings.json from the app's directory, read once
    builder.UseHeraldDefaults();     // port 8071, request size limit
    builder.AddHeraldHosting(verbose); // --dev, the banner every start logs, start-up failures in one line
    builder.AddHeraldApi();          // JSON, OpenAPI, ids, clock
    builder.AddHeraldStorage();      // SQLite by default
    builder.AddHeraldAuth();         // bearer tokens: admin and app-scoped
    builder.AddHeraldRateLimits();   // request budgets per token, failed authentication slowed per address
    builder.AddHeraldDelivery();     // dispatcher, HTTP sender, retry schedule, operational webhooks
    builder.AddHeraldBackgroundTasks(); // recover, replay, purge and statistics tasks, and their runner
    builder.AddHeraldMetrics();      // the Herald meter, exported at /metrics (Prometheus)
    builder.AddHeraldTracing();      // OpenTelemetry spans, exported with OTLP when an endpoint is configured
    builder.AddHeraldRetention();    // payload expiry and history clean-up, in small batches
    builder.AddHeraldHealth();       // the shared storage write probe behind /api/v1/health and /health/ready
    builder.AddHeraldSecurityHeaders(); // HSTS over HTTPS, nosniff, no framing of /docs
    builder.AddHeraldPortal();       // the app portal and operator dashboard pages (Herald:Portal)
    builder.AddHeraldGraphQL();      // the GraphQL schema, executor and limits (Herald:GraphQL, docs/GRAPHQL.md)

    var app = builder.Build();
    await app.InitializeHeraldAsync();  // migrations and the admin token, before any request
    app.UseHeraldSecurityHeaders();     // on every response, errors included
    app.UseHeraldApi();                 // errors as JSON, auth, idempotency
    app.MapHealth();
    app.MapHeraldMetrics();
    app.MapHeraldApi();                 // applications, event types, endpoints, messages, auth
    app.MapHeraldDocs();                // /openapi/v1.json and /docs
    app.MapHeraldOAuth();               // /oauth/token, /.well-known/openid-configuration and jwks.json
    app.MapHeraldPortal();              // /app-portal/{app_id} and the dashboard at /, clients of /api/v1
    app.MapHeraldGraphQL();             // POST/GET /graphql over the same tokens and domain code as /api/v1
    await app.RunAsync();
    return 0;
}
catch (Exception e) when (e is not HostAbortedException) // thrown by WebApplicationFactory to stop here, in tests
{
    // One line with the cause and the setting to change, e.g. "Herald cannot start: the data directory /var/lib/herald is
    // not writable (Read-only file system)"; the stack trace only with --verbose.
    await Console.Error.WriteLineAsync(StartupFailure.Describe(e, StartBanner.Started, verbose));
    if (verbose)
    {
        await Console.Error.WriteLineAsync(e.ToString());
    }

    return 1;
}

/// <summary>Entry point; public so tests can host the server with WebApplicationFactory.</summary>
public partial class Program;
