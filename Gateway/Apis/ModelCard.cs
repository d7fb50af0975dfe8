using System.Text.Json.Serialization;

namespace Gateway.Apis;

/// <summary>An entry of <c>GET /v1/models</c> in OpenAI's shape.</summary>
public sealed record ModelCard(string Id, long Created, string OwnedBy)
{
    [JsonPropertyName("object")]
    public string Object => "model";
}

public sealed record ModelList(IReadOnlyList<ModelCard> Data)
{
    [JsonPropertyName("object")]
    public string Object => "list";
}
