using Herald.Server.Storage;
using Microsoft.Extensions.Options;
using Herald.Server.Diagnostics;

namespace Herald.Server.Secrets;

/// <summary>
/// The configured main keys: the current one seals, every one (current and previous) opens. Loaded once at start from
/// <see cref="SecretsOptions"/>; a bad setting stops the start with a message that names it (never the key).
/// </summary>
internal sealed partial class MainKeyRing
{
    public const string GeneratedFileName = "main.key";

    private readonly Dictionary<string, MainKey> _byId;

    public MainKeyRing(MainKey current, IEnumerable<MainKey> previous)
    {
        Current = current;
        _byId = new Dictionary<string, MainKey>(StringComparer.Ordinal) { [current.Id] = current };
        foreach (var key in previous)
        {
            _byId.TryAdd(key.Id, key);
        }
    }

    public MainKey Current { get; }

    /// <summary>Every configured key id, the current one first.</summary>
    public IEnumerable<string> KeyIds => _byId.Keys;

    public MainKey? Find(string keyId) => _byId.GetValueOrDefault(keyId);

    public static MainKeyRing Load(SecretsOptions options, StorageOptions storage, ILogger logger)
    {
        if (options.MainKey is not null && options.MainKeyFile is not null)
        {
            throw Invalid("Set either Herald:Secrets:MainKey or Herald:Secrets:MainKeyFile, not both.");
        }

        var current = options.MainKey is { } text
            ? MainKey.Parse(text) ?? throw Invalid($"Herald:Secrets:MainKey {KeyRule}")
            : options.MainKeyFile is { } file
                ? ReadKeyFile(file, "Herald:Secrets:MainKeyFile")
                : storage.IsPostgres
                    ? throw Invalid(
                        "Herald:Secrets:MainKey (or Herald:Secrets:MainKeyFile) is required with PostgreSQL: every node must seal and open endpoint " +
                        "secrets with the same key, so none can be generated per node. Make one with `openssl rand -base64 32` and give it to every node.")
                    : GeneratedKey(storage, logger);

        var previous = new List<MainKey>();
        for (var i = 0; i < options.PreviousKeys.Count; i++)
        {
            previous.Add(MainKey.Parse(options.PreviousKeys[i]) ?? throw Invalid($"Herald:Secrets:PreviousKeys:{i} {KeyRule}"));
        }

        for (var i = 0; i < options.PreviousKeyFiles.Count; i++)
        {
            previous.Add(ReadKeyFile(options.PreviousKeyFiles[i], $"Herald:Secrets:PreviousKeyFiles:{i}"));
        }

        return new MainKeyRing(current, previous);
    }

    private const string KeyRule = "must be the base64 of 32 random bytes (make one with `openssl rand -base64 32`).";

    private static MainKey ReadKeyFile(string path, string setting)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Invalid($"{setting}: cannot read the key file {path} ({e.Message}).");
        }

        return MainKey.Parse(text) ?? throw Invalid($"{setting}: the file {path} {KeyRule}");
    }

    /// <summary>
    /// The quick start's key: <c>main.key</c> in the data directory, made on first start (0600, in the 0700 folder). It
    /// lives beside the database, so a copy of the whole folder holds both; a copy of the database alone reveals nothing.
    /// </summary>
    private static MainKey GeneratedKey(StorageOptions storage, ILogger logger)
    {
        var directory = DataDirectory.EnsurePrivate(storage.DataDirectory, logger);
        var path = Path.Combine(directory, GeneratedFileName);
        var key = MainKey.New();
        bool created;
        try
        {
            created = DataDirectory.TryCreatePrivateFile(path, System.Text.Encoding.ASCII.GetBytes(key.ToBase64() + "\n"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A full disk or a directory that cannot be written: the same diagnosis as for the database beside it.
            throw Storage.Sqlite.SqliteStartupCheck.MigrationFailed(Path.Combine(directory, "herald.db"), e);
        }

        if (created)
        {
            LogGenerated(logger, path, key.Id);
            return key;
        }

        DataDirectory.RestrictFile(path, logger);
        return ReadKeyFile(path, $"The generated main key ({GeneratedFileName})");
    }

    private static OptionsValidationException Invalid(string message) =>
        new(SecretsOptions.Section, typeof(SecretsOptions), [message]);

    // Information, not a warning: generating the key is the quick start working as meant; the advice is in the text.
    [LoggerMessage(EventId = EventIds.MainKeyGenerated, Level = LogLevel.Information,
        Message = "Generated the main key {KeyId} that seals endpoint secrets and headers, at {Path}. Back it up apart from the database: without it the secrets are lost. For production, set Herald__Secrets__MainKey or Herald__Secrets__MainKeyFile.")]
    private static partial void LogGenerated(ILogger logger, string path, string keyId);
}
