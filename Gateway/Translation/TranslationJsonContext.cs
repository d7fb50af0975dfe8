using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Gateway.Translation;

[JsonSerializable(typeof(Dictionary<string, string>))]
internal sealed partial class TranslationJsonContext : JsonSerializerContext
{
    /// <summary>As the providers write JSON: quotes, apostrophes and non-ASCII text stay readable instead of becoming \u escapes.</summary>
    public static JsonWriterOptions WriterOptions { get; } = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}
