using System.ComponentModel.DataAnnotations;

namespace Herald.Server.Storage;

/// <summary>Where and how Herald keeps its data. Bound from the <c>Herald:Storage</c> section.</summary>
public sealed class StorageOptions
{
    public const string Section = "Herald:Storage";

    /// <summary>Storage engine. Only <c>sqlite</c> exists today; <c>postgres</c> follows.</summary>
    [RegularExpression("^(?i)sqlite$", ErrorMessage = "Herald:Storage:Provider must be 'sqlite'.")]
    public string Provider { get; set; } = "sqlite";

    /// <summary>Folder of the embedded SQLite database (created when missing).</summary>
    [Required(AllowEmptyStrings = false)]
    public string DataDirectory { get; set; } = "./data";
}
