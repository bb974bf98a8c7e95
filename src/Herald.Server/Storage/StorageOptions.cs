using System.ComponentModel.DataAnnotations;

namespace Herald.Server.Storage;

/// <summary>Where and how Herald keeps its data. Bound from the <c>Herald:Storage</c> section.</summary>
public sealed class StorageOptions : IValidatableObject
{
    public const string Section = "Herald:Storage";

    /// <summary>Storage engine: <c>sqlite</c> (embedded, one node; the default) or <c>postgres</c> (shared by many nodes).</summary>
    [RegularExpression("^(?i)(sqlite|postgres)$", ErrorMessage = "Herald:Storage:Provider must be 'sqlite' or 'postgres'.")]
    public string Provider { get; set; } = "sqlite";

    /// <summary>Folder of the embedded SQLite database (created when missing).</summary>
    [Required(AllowEmptyStrings = false)]
    public string DataDirectory { get; set; } = "./data";

    /// <summary>The PostgreSQL connection string (Npgsql format), required when <see cref="Provider"/> is <c>postgres</c>.</summary>
    public string? ConnectionString { get; set; }

    public bool IsPostgres => string.Equals(Provider, "postgres", StringComparison.OrdinalIgnoreCase);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!IsPostgres)
        {
            yield break;
        }

        if (string.IsNullOrWhiteSpace(ConnectionString))
        {
            yield return new ValidationResult(
                "Herald:Storage:ConnectionString is required when Herald:Storage:Provider is 'postgres' (e.g. Host=db;Database=herald;Username=herald;Password=…).",
                [nameof(ConnectionString)]);
            yield break;
        }

        string? problem = null;
        try
        {
            _ = new Npgsql.NpgsqlConnectionStringBuilder(ConnectionString);
        }
        catch (ArgumentException e)
        {
            problem = e.Message;
        }

        if (problem is not null)
        {
            yield return new ValidationResult($"Herald:Storage:ConnectionString is not a valid PostgreSQL connection string: {problem}", [nameof(ConnectionString)]);
        }
    }
}
