using System.Text.Json;
using System.Text.Json.Serialization;

namespace Herald.Client.Http;

/// <summary>
/// A <see cref="TimeSpan"/> on the wire as whole seconds (<c>timeoutSeconds</c>, <c>gracePeriodSeconds</c>,
/// <c>expiry</c>), so callers write <c>TimeSpan.FromMinutes(5)</c> instead of counting seconds.
/// </summary>
internal sealed class WholeSecondsConverter : JsonConverter<TimeSpan>
{
    public override TimeSpan Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        TimeSpan.FromSeconds(reader.GetInt64());

    public override void Write(Utf8JsonWriter writer, TimeSpan value, JsonSerializerOptions options) =>
        writer.WriteNumberValue((long)Math.Round(value.TotalSeconds));
}
