namespace TraceUi.Tests;

/// <summary>A fresh TraceUi with its own store and a browser with no session, for each test.</summary>
public abstract class UiTest : IAsyncLifetime
{
    private readonly TemporaryDirectory _data = new("ui-");

    private protected TestWebHost Host { get; private set; } = null!;
    private protected BrowserlessClient Browser { get; private set; } = null!;

    /// <summary>Whether the host composes the gateway too (for the Gateway section's pages).</summary>
    private protected virtual bool WithGateway => false;

    public async ValueTask InitializeAsync()
    {
        Host = await UiHost.StartAsync(_data, WithGateway);
        Browser = new BrowserlessClient(Host.BaseAddress);
    }

    public async ValueTask DisposeAsync()
    {
        Browser.Dispose();
        await Host.DisposeAsync();
        _data.Dispose();
        GC.SuppressFinalize(this);
    }
}
