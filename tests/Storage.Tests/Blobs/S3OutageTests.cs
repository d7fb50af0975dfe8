using Storage.Blobs;

namespace Storage.Tests.Blobs;

/// <summary>An S3 server of its own, stopped and restarted: the shared one serves other tests in parallel.</summary>
public sealed class S3OutageTests : IAsyncLifetime
{
    private readonly S3Server _s3 = new();
    private SeamHost _host = null!;

    public async ValueTask InitializeAsync()
    {
        await _s3.InitializeAsync();
        _host = await SeamHost.StartAsync(_s3.Settings("outage"), b => b.AddBlobStore());
    }

    [Fact]
    public async Task Unreachable_s3_gives_a_clear_error_and_writes_work_again_when_it_returns()
    {
        var blobs = _host.Get<IBlobStore>();
        var cancel = TestContext.Current.CancellationToken;

        await _s3.StopAsync();
        var failure = await Assert.ThrowsAsync<StorageUnavailableException>(() => blobs.PutAsync("a/b.json", new MemoryStream([1, 2, 3]), cancel));
        await _s3.StartAsync();
        await blobs.PutAsync("a/b.json", new MemoryStream([1, 2, 3]), cancel);

        Assert.Equal(("blob", "s3"), (failure.Seam, failure.Implementation));
        Assert.Contains(_s3.ServiceUrl, failure.Message, StringComparison.Ordinal);
        await using var read = await blobs.OpenReadAsync("a/b.json", cancel);
        Assert.NotNull(read);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync();
        await _s3.DisposeAsync();
    }
}
