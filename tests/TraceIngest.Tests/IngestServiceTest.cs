namespace TraceIngest.Tests;

/// <summary>A fresh TraceIngest with one project and its key pair, its own embedded stores, for each test.</summary>
public abstract class IngestServiceTest(string projectId) : IAsyncLifetime
{
    private readonly TemporaryDirectory _data = new();

    protected string ProjectId { get; } = projectId;
    protected string PublicKey => $"pk-lf-{ProjectId}";
    protected string SecretKey => $"sk-lf-{ProjectId}-secret-0123456789";
    private protected TestWebHost Host { get; private set; } = null!;
    private protected IngestionClient Client { get; private set; } = null!;
    protected string DataDirectory => _data.Path;

    /// <summary>Settings on top of the project and data directory.</summary>
    protected virtual void Configure(Dictionary<string, string?> settings)
    {
    }

    public async ValueTask InitializeAsync()
    {
        var settings = TraceIngestHost.Project(ProjectId, PublicKey, SecretKey);
        settings["Storage:DataDirectory"] = _data.Path;
        Configure(settings);
        Host = await TraceIngestHost.StartAsync(settings);
        Client = new IngestionClient(Host, PublicKey, SecretKey);
    }

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        _data.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>Every event stored through the API so far (acknowledging the queued references).</summary>
    private protected async Task<List<System.Text.Json.JsonElement>> StoredEventsAsync()
    {
        var events = new List<System.Text.Json.JsonElement>();
        foreach (var reference in await Client.DrainQueueAsync(TimeSpan.FromSeconds(2)))
        {
            using var batch = await Client.ReadBatchAsync(reference.BlobKey);
            events.AddRange(batch.RootElement.GetProperty("events").EnumerateArray().Select(e => e.Clone()));
        }

        return events;
    }
}
