using System.Text.Json.Nodes;

namespace TestInfrastructure;

/// <summary>A request a fake upstream received, with the moment it arrived (<see cref="System.Diagnostics.Stopwatch"/> ticks).</summary>
public sealed record FakeUpstreamRequest(string Method, string Path, IReadOnlyDictionary<string, string> Headers, byte[] BodyBytes, long ReceivedAt)
{
    /// <summary>The query string, with its leading <c>?</c>, or empty.</summary>
    public string Query { get; init; } = string.Empty;

    public string Body => System.Text.Encoding.UTF8.GetString(BodyBytes);

    public JsonNode? Json => BodyBytes.Length == 0 ? null : JsonNode.Parse(BodyBytes);

    public string? Header(string name) => Headers.TryGetValue(name.ToLowerInvariant(), out var value) ? value : null;

    public bool WantsStream => Json?["stream"]?.GetValue<bool>() == true;
}
