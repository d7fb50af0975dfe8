namespace Gateway.Tests.Governance;

/// <summary>One gateway with <see cref="GovernanceConfig"/>'s models and fast settings on its own embedded store, for each test.</summary>
public abstract class ManagementApiTest : IAsyncLifetime
{
    private readonly TemporaryDirectory _data = new();

    private protected TestWebHost Host { get; private set; } = null!;

    public async ValueTask InitializeAsync() => Host = await GatewayHost.StartWithConfigAsync(_data, GovernanceConfig.Yaml(), GovernanceConfig.FastSettings());

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        _data.Dispose();
        GC.SuppressFinalize(this);
    }
}
