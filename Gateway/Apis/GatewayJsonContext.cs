using System.Text.Json.Serialization;

namespace Gateway.Apis;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(OpenAiErrorBody))]
[JsonSerializable(typeof(ModelList))]
[JsonSerializable(typeof(ModelCard))]
internal sealed partial class GatewayJsonContext : JsonSerializerContext;
