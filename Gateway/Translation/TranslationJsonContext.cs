using System.Text.Json.Serialization;

namespace Gateway.Translation;

[JsonSerializable(typeof(Dictionary<string, string>))]
internal sealed partial class TranslationJsonContext : JsonSerializerContext;
