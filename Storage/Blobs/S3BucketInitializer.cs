using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Storage.Blobs;

/// <summary>Makes sure the bucket exists at start; an unreachable S3 is reported by health, not by a failed start.</summary>
internal sealed partial class S3BucketInitializer(S3BlobStore store, ILogger<S3BucketInitializer> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!await store.EnsureBucketAsync(cancellationToken))
        {
            LogBucketUnavailable(store.Location);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Warning, Message = "S3 bucket {Location} is not reachable (or could not be created); blob writes fail until it is")]
    private partial void LogBucketUnavailable(string location);
}
