using System.Text.Json;
using System.Text.Json.Serialization;

namespace Herald.Server.Storage;

/// <summary>How list and map columns are written as JSON text in storage.</summary>
internal static class StorageJson
{
    public static string Map(IReadOnlyDictionary<string, string> map) =>
        JsonSerializer.Serialize(map.ToDictionary(), StorageJsonContext.Default.DictionaryStringString);

    public static IReadOnlyDictionary<string, string> Map(string? json) =>
        string.IsNullOrEmpty(json) ? new Dictionary<string, string>() : JsonSerializer.Deserialize(json, StorageJsonContext.Default.DictionaryStringString)!;

    public static string? List(IReadOnlyList<string>? list) =>
        list is null ? null : JsonSerializer.Serialize(list.ToList(), StorageJsonContext.Default.ListString);

    public static IReadOnlyList<string>? List(string? json) =>
        json is null ? null : JsonSerializer.Deserialize(json, StorageJsonContext.Default.ListString);
}

[JsonSerializable(typeof(Dictionary<string, string>))]
[JsonSerializable(typeof(List<string>))]
internal sealed partial class StorageJsonContext : JsonSerializerContext;
