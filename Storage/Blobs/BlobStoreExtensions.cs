using Amazon.Runtime;
using Amazon.S3;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Storage.Blobs;

public static class BlobStoreExtensions
{
    public const string Seam = "blob";

    /// <summary>Registers <see cref="IBlobStore"/>: S3 when <c>S3:Bucket</c> is set, otherwise a directory in the data directory.</summary>
    public static IHostApplicationBuilder AddBlobStore(this IHostApplicationBuilder builder)
    {
        var s3 = builder.Configuration.GetSection(S3Options.SectionName).Get<S3Options>() ?? new S3Options();
        if (string.IsNullOrWhiteSpace(s3.Bucket))
        {
            var root = Path.Combine(StorageOptions.ResolveDataDirectory(builder.Configuration), "blobs");
            var local = new StorageBackend(Seam, "local-directory", root);
            if (builder.Services.TryRegisterSeam<BlobRegistration>(local))
            {
                builder.Services.AddSingleton<IBlobStore>(new LocalDirectoryBlobStore(root));
                builder.Services.AddBackendHealthCheck<IBlobStore>(local, static (_, _) => Task.FromResult(true));
            }

            return builder;
        }

        var store = new S3BlobStore(CreateClient(s3), s3);
        var backend = new StorageBackend(Seam, "s3", store.Location);
        if (builder.Services.TryRegisterSeam<BlobRegistration>(backend))
        {
            builder.Services.AddSingleton<IBlobStore>(store);
            builder.Services.AddSingleton(store);
            builder.Services.AddHostedService<S3BucketInitializer>();
            builder.Services.AddBackendHealthCheck<S3BlobStore>(backend, static (s, cancellationToken) => s.BucketReachableAsync(cancellationToken));
        }

        return builder;
    }

    internal static AmazonS3Client CreateClient(S3Options options)
    {
        var config = new AmazonS3Config
        {
            ForcePathStyle = options.ForcePathStyle ?? !string.IsNullOrEmpty(options.ServiceUrl),
            // S3-compatible servers do not all understand the flexible checksums SDK v4 sends by default.
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
            Timeout = TimeSpan.FromSeconds(30),
            MaxErrorRetry = 2,
        };
        if (string.IsNullOrEmpty(options.ServiceUrl))
        {
            config.RegionEndpoint = Amazon.RegionEndpoint.GetBySystemName(options.Region);
        }
        else
        {
            config.ServiceURL = options.ServiceUrl;
            config.AuthenticationRegion = options.Region;
        }

        return string.IsNullOrEmpty(options.AccessKey)
            ? new AmazonS3Client(config)
            : new AmazonS3Client(new BasicAWSCredentials(options.AccessKey, options.SecretKey), config);
    }

    private sealed class BlobRegistration;
}
