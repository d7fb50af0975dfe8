using System.Net;
using System.Runtime.CompilerServices;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace Storage.Blobs;

/// <summary>The distributed blob store: an S3 bucket through AWSSDK.S3, on AWS or any S3-compatible endpoint.</summary>
internal sealed class S3BlobStore(IAmazonS3 client, S3Options options) : IBlobStore
{
    private const string Seam = "blob";
    private readonly string _bucket = options.Bucket!;
    private readonly string _prefix = options.Prefix.Length == 0 || options.Prefix.EndsWith('/') ? options.Prefix : options.Prefix + "/";

    public string Location => $"{options.ServiceUrl ?? "s3"}/{_bucket}/{_prefix}";

    public async Task PutAsync(string key, Stream content, CancellationToken cancellationToken)
    {
        var request = new PutObjectRequest
        {
            BucketName = _bucket,
            Key = _prefix + BlobKey.Validate(key),
            InputStream = content,
            AutoCloseStream = false,
            // aws-chunked uploads are not understood by every S3-compatible server; some store the chunk framing.
            UseChunkEncoding = false,
        };
        await CallAsync(() => client.PutObjectAsync(request, cancellationToken));
    }

    public async Task<Stream?> OpenReadAsync(string key, CancellationToken cancellationToken)
    {
        try
        {
            var response = await CallAsync(() => client.GetObjectAsync(_bucket, _prefix + BlobKey.Validate(key), cancellationToken));
            return response.ResponseStream;
        }
        catch (AmazonS3Exception exception) when (exception.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    public Task DeleteAsync(string key, CancellationToken cancellationToken) =>
        CallAsync(() => client.DeleteObjectAsync(_bucket, _prefix + BlobKey.Validate(key), cancellationToken));

    public async IAsyncEnumerable<string> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var request = new ListObjectsV2Request { BucketName = _bucket, Prefix = _prefix + BlobKey.ValidatePrefix(prefix) };
        ListObjectsV2Response response;
        do
        {
            response = await CallAsync(() => client.ListObjectsV2Async(request, cancellationToken));
            foreach (var item in response.S3Objects ?? [])
            {
                yield return item.Key[_prefix.Length..];
            }

            request.ContinuationToken = response.NextContinuationToken;
        }
        while (response.IsTruncated == true);
    }

    /// <summary>Creates the bucket when it is missing and allowed to; true when the bucket is reachable.</summary>
    public async Task<bool> EnsureBucketAsync(CancellationToken cancellationToken)
    {
        if (await BucketReachableAsync(cancellationToken))
        {
            return true;
        }

        if (!options.CreateBucket)
        {
            return false;
        }

        try
        {
            await client.PutBucketAsync(new PutBucketRequest { BucketName = _bucket, UseClientRegion = true }, cancellationToken);
        }
        catch (AmazonS3Exception exception) when (exception.ErrorCode is "BucketAlreadyOwnedByYou" or "BucketAlreadyExists")
        {
        }

        return await BucketReachableAsync(cancellationToken);
    }

    public async Task<bool> BucketReachableAsync(CancellationToken cancellationToken)
    {
        try
        {
            await client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = _bucket, MaxKeys = 1 }, cancellationToken);
            return true;
        }
        catch (Exception exception) when (exception is AmazonServiceException or HttpRequestException or IOException or TaskCanceledException)
        {
            return false;
        }
    }

    private async Task<T> CallAsync<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (AmazonS3Exception exception) when (exception.StatusCode == HttpStatusCode.NotFound)
        {
            throw;
        }
        catch (Exception exception) when (exception is AmazonServiceException or HttpRequestException or IOException
            || exception is TaskCanceledException { CancellationToken.IsCancellationRequested: false })
        {
            throw new StorageUnavailableException(Seam, "s3", $"{Location}: {exception.Message}", exception);
        }
    }

    private async Task CallAsync(Func<Task> call) => await CallAsync(async () =>
    {
        await call();
        return true;
    });
}
