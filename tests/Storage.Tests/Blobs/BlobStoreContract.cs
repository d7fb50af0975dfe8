using System.Security.Cryptography;
using System.Text;
using Storage.Blobs;

namespace Storage.Tests.Blobs;

/// <summary>The contract of <see cref="IBlobStore"/>, run once per implementation.</summary>
public abstract class BlobStoreContract : IAsyncLifetime
{
    private SeamHost? _host;

    protected IBlobStore Blobs { get; private set; } = null!;

    protected abstract IDictionary<string, string?> BackendSettings();

    public async ValueTask InitializeAsync()
    {
        _host = await SeamHost.StartAsync(BackendSettings(), b => b.AddBlobStore());
        Blobs = _host.Get<IBlobStore>();
    }

    public virtual async ValueTask DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private async Task<byte[]?> ReadAsync(string key)
    {
        await using var stream = await Blobs.OpenReadAsync(key, Cancel);
        if (stream is null)
        {
            return null;
        }

        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy, Cancel);
        return copy.ToArray();
    }

    [Fact]
    public async Task Ten_megabytes_round_trip_byte_for_byte()
    {
        var content = RandomNumberGenerator.GetBytes(10 * 1024 * 1024);

        await Blobs.PutAsync("events/project-a/2026/11/23/batch-1.json", new MemoryStream(content), Cancel);
        var read = await ReadAsync("events/project-a/2026/11/23/batch-1.json");

        Assert.Equal(SHA256.HashData(content), SHA256.HashData(read!));
    }

    [Fact]
    public async Task A_missing_key_reads_as_null_and_deleting_it_is_no_error()
    {
        Assert.Null(await ReadAsync("nothing/here.json"));
        await Blobs.DeleteAsync("nothing/here.json", Cancel);
    }

    [Fact]
    public async Task Writing_a_key_again_replaces_the_object_and_delete_removes_it()
    {
        await Blobs.PutAsync("k/v.txt", new MemoryStream("one"u8.ToArray()), Cancel);
        await Blobs.PutAsync("k/v.txt", new MemoryStream("two"u8.ToArray()), Cancel);
        var replaced = await ReadAsync("k/v.txt");

        await Blobs.DeleteAsync("k/v.txt", Cancel);

        Assert.Equal("two", Encoding.UTF8.GetString(replaced!));
        Assert.Null(await ReadAsync("k/v.txt"));
    }

    [Fact]
    public async Task Listing_returns_only_keys_under_the_prefix_in_order()
    {
        foreach (var key in new[] { "p/b/2.json", "p/a/1.json", "p/b/1.json", "q/a/1.json" })
        {
            await Blobs.PutAsync(key, new MemoryStream("x"u8.ToArray()), Cancel);
        }

        var underP = await Blobs.ListAsync("p/", Cancel).ToListAsync(Cancel);
        var underPb = await Blobs.ListAsync("p/b", Cancel).ToListAsync(Cancel);

        Assert.Equal(["p/a/1.json", "p/b/1.json", "p/b/2.json"], underP);
        Assert.Equal(["p/b/1.json", "p/b/2.json"], underPb);
    }

    [Theory]
    [InlineData("")]
    [InlineData("../escape")]
    [InlineData("a//b")]
    [InlineData("a/./b")]
    [InlineData("/absolute")]
    [InlineData("with space")]
    [InlineData("back\\slash")]
    public async Task Keys_that_are_not_plain_relative_paths_are_refused(string key)
    {
        await Assert.ThrowsAsync<ArgumentException>(() => Blobs.PutAsync(key, new MemoryStream([1]), Cancel));
    }
}

public sealed class LocalDirectoryBlobStoreTests : BlobStoreContract
{
    private readonly TemporaryDirectory _data = new("blobs-");

    protected override IDictionary<string, string?> BackendSettings() =>
        new Dictionary<string, string?> { ["Storage:DataDirectory"] = _data.Path };

    [Fact]
    public async Task A_write_that_fails_midway_leaves_neither_the_object_nor_a_partial_file()
    {
        await Assert.ThrowsAsync<IOException>(() => Blobs.PutAsync("half/written.json", new FailingStream(), TestContext.Current.CancellationToken));

        Assert.Null(await Blobs.OpenReadAsync("half/written.json", TestContext.Current.CancellationToken));
        Assert.Empty(Directory.GetFiles(Path.Combine(_data.Path, "blobs"), "*", SearchOption.AllDirectories));
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        _data.Dispose();
    }

    private sealed class FailingStream : Stream
    {
        private int _reads;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) =>
            ++_reads < 3 ? count : throw new IOException("client went away");

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}

public sealed class S3BlobStoreTests(S3Server s3) : BlobStoreContract
{
    protected override IDictionary<string, string?> BackendSettings() => s3.Settings($"contract-{Guid.NewGuid():N}"[..30]);
}
