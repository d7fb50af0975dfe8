namespace Storage.Blobs;

/// <summary>
/// The S3-compatible blob store (AWS S3, MinIO, any endpoint). Setting <see cref="Bucket"/> selects it. Without
/// an access key the AWS default credential chain applies (IAM roles for service accounts on EKS).
/// </summary>
public sealed class S3Options
{
    public const string SectionName = "S3";

    public string? Bucket { get; set; }

    /// <summary>Endpoint of an S3-compatible server (MinIO, s3rver); unset for AWS S3 itself.</summary>
    public string? ServiceUrl { get; set; }

    public string Region { get; set; } = "us-east-1";
    public string? AccessKey { get; set; }
    public string? SecretKey { get; set; }

    /// <summary>Path-style URLs (<c>host/bucket/key</c>); what MinIO and most S3-compatible servers need.</summary>
    public bool? ForcePathStyle { get; set; }

    /// <summary>Create the bucket at start when it does not exist (needs s3:CreateBucket; off for least-privilege roles).</summary>
    public bool CreateBucket { get; set; } = true;

    /// <summary>Optional key prefix, to share a bucket with other data.</summary>
    public string Prefix { get; set; } = string.Empty;
}
