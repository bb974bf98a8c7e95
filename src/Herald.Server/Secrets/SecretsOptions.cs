namespace Herald.Server.Secrets;

/// <summary>
/// The main key that seals endpoint secrets and endpoint headers at rest. Bound from <c>Herald:Secrets</c>.
/// Keys are 32 random bytes in base64 (<c>openssl rand -base64 32</c>); each is known by its key id, derived from it.
/// With neither <see cref="MainKey"/> nor <see cref="MainKeyFile"/>, SQLite deployments generate <c>main.key</c> in the
/// data directory on first start; PostgreSQL deployments refuse to start (every node must share one key).
/// </summary>
public sealed class SecretsOptions
{
    public const string Section = "Herald:Secrets";

    /// <summary>The current main key (base64 of 32 bytes): new values are sealed with it. Exclusive with <see cref="MainKeyFile"/>.</summary>
    public string? MainKey { get; set; }

    /// <summary>A file holding the current main key in base64 (e.g. a mounted container secret). Exclusive with <see cref="MainKey"/>.</summary>
    public string? MainKeyFile { get; set; }

    /// <summary>
    /// Earlier main keys (base64), still used to read values sealed with them until the start-up pass has resealed
    /// every value with the current key. Set with <c>Herald__Secrets__PreviousKeys__0=…</c>.
    /// </summary>
    public List<string> PreviousKeys { get; set; } = [];

    /// <summary>Files holding earlier main keys, as <see cref="PreviousKeys"/> (e.g. the generated <c>data/main.key</c>).</summary>
    public List<string> PreviousKeyFiles { get; set; } = [];

    /// <summary>
    /// Recovery after a main key is lost: at start, every endpoint secret that no configured key opens is replaced by
    /// a new random one, and such endpoint headers are cleared (each endpoint is logged). Off by default: Herald then
    /// refuses to start while any value is unreadable, so that a mistyped key never costs data.
    /// </summary>
    public bool ForgetUnreadable { get; set; }
}
