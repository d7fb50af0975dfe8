using System.Text.Json.Nodes;

namespace TestInfrastructure;

/// <summary>A request the fake Bedrock Runtime received: the action (<c>converse</c>, <c>converse-stream</c>, <c>invoke</c>), the decoded model id, and the request as sent.</summary>
public sealed record FakeBedrockRequest(string Action, string ModelId, string RawPath, IReadOnlyDictionary<string, string> Headers, byte[] BodyBytes, long ReceivedAt)
{
    public JsonNode? Json => BodyBytes.Length == 0 ? null : JsonNode.Parse(BodyBytes);

    public string? Header(string name) => Headers.TryGetValue(name.ToLowerInvariant(), out var value) ? value : null;

    public bool IsStream => Action == "converse-stream";
}
