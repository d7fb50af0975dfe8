using Amazon.CDK;
using Amazon.CDK.AWS.KMS;
using Amazon.CDK.AWS.S3;
using Amazon.CDK.AWS.SSM;
using Constructs;

namespace AwsInfrastructure;

/// <summary>Raw ingestion events (TraceIngest) and ClickHouse's table data: private, KMS-encrypted, TLS only, kept on stack deletion.</summary>
public sealed class PlatformBuckets : Construct
{
    public PlatformBuckets(Construct scope, string id, IKey key) : base(scope, id)
    {
        // Raw events are read by the worker within minutes; afterwards they are an audit and replay record.
        Events = PrivateBucket("Events", key, new LifecycleRule
        {
            Id = "older-events-to-intelligent-tiering",
            Transitions = [new Transition { StorageClass = StorageClass.INTELLIGENT_TIERING, TransitionAfter = Duration.Days(30) }],
            AbortIncompleteMultipartUploadAfter = Duration.Days(7),
        });

        // Unversioned: ClickHouse deletes merged parts itself, and versions would keep every one of them.
        ClickHouse = PrivateBucket("ClickHouse", key, new LifecycleRule { Id = "abort-incomplete-uploads", AbortIncompleteMultipartUploadAfter = Duration.Days(2) });

        _ = new StringParameter(this, "EventsBucketName", new StringParameterProps { ParameterName = PlatformNames.EventsBucketParameter, StringValue = Events.BucketName });
        _ = new StringParameter(this, "ClickHouseBucketName", new StringParameterProps { ParameterName = PlatformNames.ClickHouseBucketParameter, StringValue = ClickHouse.BucketName });
    }

    public Bucket Events { get; }

    public Bucket ClickHouse { get; }

    private Bucket PrivateBucket(string id, IKey key, LifecycleRule lifecycle) => new(this, id, new BucketProps
    {
        Encryption = BucketEncryption.KMS,
        EncryptionKey = key,
        BucketKeyEnabled = true,
        BlockPublicAccess = BlockPublicAccess.BLOCK_ALL,
        EnforceSSL = true,
        ObjectOwnership = ObjectOwnership.BUCKET_OWNER_ENFORCED,
        Versioned = false,
        RemovalPolicy = RemovalPolicy.RETAIN,
        LifecycleRules = [lifecycle],
    });
}
