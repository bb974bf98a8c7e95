using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Acornima.Ast;
using Jint;
using Microsoft.Extensions.Options;

namespace Herald.Server.Transformations;

/// <summary>What a transformation gets: Svix's webhook object, <c>{method, url, payload, eventType, cancel, headers}</c>.</summary>
internal sealed record TransformationInput(
    string Url, string EventType, ReadOnlyMemory<byte> Payload, IReadOnlyDictionary<string, string> Headers, DateTimeOffset Now);

/// <summary>What it made of it: the request to send, or <see cref="Canceled"/>; or <see cref="Error"/> when the run failed.</summary>
internal sealed record TransformationResult(
    string Url, string Method, byte[] Body, IReadOnlyDictionary<string, string> Headers, bool Canceled, string? Error)
{
    public static TransformationResult Failed(string error) => new("", "POST", [], new Dictionary<string, string>(), false, error);
}

/// <summary>
/// Runs an endpoint's <c>handler(webhook)</c> in Jint, a JavaScript interpreter without access to .NET (no CLR types,
/// no I/O, no timers, no modules, no <c>eval</c>/<c>Function</c> from strings). Every run gets a new engine, so nothing
/// a script does (<c>Object.prototype.x = …</c>, globals) survives into the next run; only the parsed script is cached.
/// Limits (<see cref="TransformationOptions"/>): wall-clock time (also for regular expressions), bytes allocated,
/// statements, call depth, array length, string length from repeat/padStart/padEnd; binary buffers (ArrayBuffer,
/// typed arrays, DataView) are removed. Nondeterminism is removed too: <c>Math.random</c> is gone, and the clock
/// (<c>Date.now()</c>, <c>new Date()</c>) reads the attempt's time, passed in.
/// </summary>
internal sealed class TransformationSandbox(IOptions<TransformationOptions> options)
{
    /// <summary>Svix's limit on a transformation's code.</summary>
    public const int MaxCodeLength = 51_200;

    private const int MaxArrayLength = 1_000_000;
    private const int MaxCachedScripts = 1_000;
    private static readonly string[] Methods = ["POST", "PUT", "PATCH"];

    // Runs before the user's code, in the same realm: what it removes or wraps, the script cannot get back.
    private const string Prelude = """
        (function (maxChars) {
          delete Math.random;
          for (const name of ['ArrayBuffer', 'SharedArrayBuffer', 'DataView', 'Atomics', 'WebAssembly', 'Int8Array', 'Uint8Array',
              'Uint8ClampedArray', 'Int16Array', 'Uint16Array', 'Int32Array', 'Uint32Array', 'Float16Array', 'Float32Array',
              'Float64Array', 'BigInt64Array', 'BigUint64Array']) { delete globalThis[name]; }
          const guard = (name, length) => {
            const original = String.prototype[name];
            Object.defineProperty(String.prototype, name, { writable: true, configurable: true, value: function (...args) {
              if (length(String(this), args) > maxChars) { throw new RangeError('String.prototype.' + name + ': result longer than the sandbox allows'); }
              return original.apply(this, args);
            } });
          };
          guard('repeat', (s, a) => s.length * Number(a[0]));
          guard('padStart', (s, a) => Number(a[0]));
          guard('padEnd', (s, a) => Number(a[0]));
        })
        """;

    private readonly ConcurrentDictionary<string, Prepared<Script>> _scripts = new(StringComparer.Ordinal);

    /// <summary>Null when <paramref name="code"/> parses and defines a top-level <c>handler</c>; else what is wrong.</summary>
    public static string? CodeError(string code)
    {
        try
        {
            var script = Engine.PrepareScript(code).Program;
            return script is null || script.Body.Any(DefinesHandler)
                ? null
                : "defines no top-level function named handler: the script must define function handler(webhook).";
        }
        catch (ScriptPreparationException e)
        {
            return e.Message;
        }
    }

    private static bool DefinesHandler(Acornima.Ast.Statement statement) => statement switch
    {
        Acornima.Ast.FunctionDeclaration { Id.Name: "handler" } => true,
        Acornima.Ast.VariableDeclaration declaration => declaration.Declarations.Any(d => d.Id is Acornima.Ast.Identifier { Name: "handler" }),
        _ => false,
    };

    public TransformationResult Run(string code, TransformationInput input)
    {
        var limits = options.Value;
        try
        {
            var engine = new Engine(o =>
            {
                o.TimeoutInterval(limits.TimeLimit);
                o.LimitMemory(limits.MemoryLimitBytes);
                o.LimitRecursion(limits.RecursionLimit);
                o.MaxStatements(limits.StatementLimit);
                o.Constraints.MaxArraySize = MaxArrayLength;
                o.Constraints.RegexTimeout = limits.TimeLimit;
                o.DisableStringCompilation();
                o.TimeSystem = new FixedTimeSystem(input.Now);
            });
            engine.Invoke(engine.Evaluate(Prelude), limits.MemoryLimitBytes / 4);
            engine.Execute(Prepare(code));
            if (engine.Evaluate("typeof handler").ToString() != "function")
            {
                return TransformationResult.Failed("The transformation defines no function handler(webhook).");
            }

            var webhook = new Jint.Native.Json.JsonParser(engine).Parse(WebhookJson(input));
            var returned = new Jint.Native.Json.JsonSerializer(engine).Serialize(engine.Invoke(engine.GetValue("handler"), webhook));
            return returned.IsUndefined()
                ? TransformationResult.Failed("handler(webhook) must return the webhook object.")
                : Read(returned.ToString(), input);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return TransformationResult.Failed($"The transformation failed: {Describe(e)}");
        }
    }

    private Prepared<Script> Prepare(string code)
    {
        if (_scripts.TryGetValue(code, out var prepared))
        {
            return prepared;
        }

        if (_scripts.Count >= MaxCachedScripts)
        {
            _scripts.Clear();
        }

        return _scripts[code] = Engine.PrepareScript(code);
    }

    private static string WebhookJson(TransformationInput input)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("method", "POST");
            json.WriteString("url", input.Url);
            json.WritePropertyName("payload");
            json.WriteRawValue(input.Payload.Span, skipInputValidation: true);
            json.WriteString("eventType", input.EventType);
            json.WriteBoolean("cancel", false);
            json.WriteStartObject("headers");
            foreach (var (name, value) in input.Headers)
            {
                json.WriteString(name, value);
            }

            json.WriteEndObject();
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    /// <summary>Checks what the handler returned, field by field, as Svix's TransformationSimulateOut shapes it.</summary>
    private static TransformationResult Read(string json, TransformationInput input)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            return TransformationResult.Failed("handler(webhook) must return the webhook object.");
        }

        var cancel = root.TryGetProperty("cancel", out var c) && c.ValueKind == JsonValueKind.True;
        var url = root.TryGetProperty("url", out var u) ? u.ValueKind == JsonValueKind.String ? u.GetString() : null : input.Url;
        if (url is null || !Uri.TryCreate(url, UriKind.Absolute, out var parsed) || parsed.Scheme is not ("http" or "https") || url.Length > 2048)
        {
            return TransformationResult.Failed("webhook.url must be an absolute http(s) URL of at most 2048 characters.");
        }

        var method = root.TryGetProperty("method", out var m) ? m.ValueKind == JsonValueKind.String ? m.GetString()!.ToUpperInvariant() : null : "POST";
        if (method is null || !Methods.Contains(method))
        {
            return TransformationResult.Failed("webhook.method must be POST, PUT or PATCH.");
        }

        if (!root.TryGetProperty("payload", out var payload))
        {
            return TransformationResult.Failed("webhook.payload must be set (JSON-serializable).");
        }

        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (root.TryGetProperty("headers", out var h) && h.ValueKind != JsonValueKind.Null)
        {
            if (h.ValueKind != JsonValueKind.Object)
            {
                return TransformationResult.Failed("webhook.headers must be an object of header names to string values.");
            }

            foreach (var header in h.EnumerateObject())
            {
                if (header.Value.ValueKind != JsonValueKind.String || !ReservedHeaders.IsAllowed(header.Name, header.Value.GetString()!))
                {
                    return TransformationResult.Failed($"webhook.headers['{header.Name}'] is not allowed: header values are strings, and Herald sets "
                        + "the signature, content, host and user-agent headers itself.");
                }

                headers[header.Name] = header.Value.GetString()!;
            }
        }

        return new TransformationResult(url, method, Encoding.UTF8.GetBytes(payload.GetRawText()), headers, cancel, null);
    }

    private static string Describe(Exception e) => e switch
    {
        System.Text.RegularExpressions.RegexMatchTimeoutException => "a regular expression ran longer than the time limit.",
        TimeoutException => "it ran longer than the time limit (Herald:Transformations:TimeLimit).",
        Jint.Runtime.MemoryLimitExceededException => $"it used more memory than the sandbox allows: {e.Message}",
        Jint.Runtime.RecursionDepthOverflowException => "its calls nested deeper than the recursion limit (Herald:Transformations:RecursionLimit).",
        Jint.Runtime.StatementsCountOverflowException => "it ran more statements than the limit (Herald:Transformations:StatementLimit).",
        Jint.Runtime.JavaScriptException => $"uncaught {e.Message}",
        ScriptPreparationException => $"syntax error: {e.Message}",
        _ => e.Message,
    };

    /// <summary>A clock that always reads the attempt's time: Date.now() and new Date() are what the caller passed in.</summary>
    private sealed class FixedTimeSystem(DateTimeOffset now) : Jint.Runtime.ITimeSystem
    {
        private readonly Jint.Runtime.DefaultTimeSystem _utc = new(TimeZoneInfo.Utc, CultureInfo.InvariantCulture);

        public TimeZoneInfo DefaultTimeZone => TimeZoneInfo.Utc;

        public DateTimeOffset GetUtcNow() => now;

        public TimeSpan GetUtcOffset(long epochMilliseconds) => TimeSpan.Zero;

        public bool TryParse(string date, out long epochMilliseconds) => _utc.TryParse(date, out epochMilliseconds);
    }
}
