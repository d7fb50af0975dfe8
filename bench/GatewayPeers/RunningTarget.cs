namespace GatewayPeers;

/// <summary>A proxy (or the upstream itself) up and serving: where to send, what to send, and the processes that serve it.</summary>
internal sealed class RunningTarget(string name, string label, string url, string model, IReadOnlyDictionary<string, string> headers, IReadOnlyList<int> processIds, Func<ValueTask> stop)
    : IAsyncDisposable
{
    public string Name { get; } = name;
    public string Label { get; } = label;
    public string Url { get; } = url;
    public string Model { get; } = model;
    public IReadOnlyDictionary<string, string> Headers { get; } = headers;
    public IReadOnlyList<int> ProcessIds { get; } = processIds;

    public ValueTask DisposeAsync() => stop();
}
