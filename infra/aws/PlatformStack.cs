using Amazon.CDK;
using Amazon.CDK.AWS.ECR;
using Amazon.CDK.AWS.KMS;
using Constructs;

namespace AwsInfrastructure;

/// <summary>
/// Everything the platform needs in one AWS account and region. Its outputs are what infra/k8s/overlays/eks needs
/// (stack.env, written by write-stack-env.sh): each output's name is the setting's, in PascalCase.
/// </summary>
public sealed class PlatformStack : Stack
{
    public PlatformStack(Construct scope, string id, PlatformStackProps props) : base(scope, id, props)
    {
        Key = new Key(this, "DataKey", new KeyProps
        {
            Alias = "alias/llm-platform",
            Description = "Encrypts the LLM platform's data at rest: Aurora, Redis, S3, EBS, secrets, Kubernetes secrets, images",
            EnableKeyRotation = true,
            RemovalPolicy = RemovalPolicy.RETAIN,
        });

        Network = new PlatformNetwork(this, "Network");
        Cluster = new PlatformCluster(this, "Eks", Network, Key, props);
        DataStores = new PlatformDataStores(this, "DataStores", Network, Cluster, Key);
        Buckets = new PlatformBuckets(this, "Buckets", Key);
        _ = new PlatformSecrets(this, "Secrets", Key);
        Roles = new PlatformServiceRoles(this, "ServiceRoles", Cluster, Buckets, Key);

        foreach (var repository in PlatformNames.ImageRepositories)
        {
            _ = new Repository(this, $"Repository-{repository[(repository.IndexOf('/') + 1)..]}", new RepositoryProps
            {
                RepositoryName = repository,
                ImageScanOnPush = true,
                ImageTagMutability = TagMutability.IMMUTABLE,
                Encryption = RepositoryEncryption.KMS,
                EncryptionKey = Key,
                LifecycleRules = [new LifecycleRule { MaxImageCount = 50, Description = "Keep the 50 newest images" }],
                RemovalPolicy = RemovalPolicy.RETAIN,
            });
        }

        Output("AwsRegion", Region);
        Output("AwsAccountId", Account);
        Output("ImageRegistry", $"{Account}.dkr.ecr.{Region}.{UrlSuffix}");
        Output("EventsBucket", Buckets.Events.BucketName);
        Output("ClickhouseBucket", Buckets.ClickHouse.BucketName);
        Output("GatewayRoleArn", Roles.Gateway.Role.RoleArn);
        Output("TraceingestRoleArn", Roles.TraceIngest.Role.RoleArn);
        Output("ClickhouseRoleArn", Roles.ClickHouse.Role.RoleArn);
        Output("SecretsReaderRoleArn", Roles.SecretsReader.Role.RoleArn);
        Output("EbsKmsKeyArn", Key.KeyArn);
        Output("ClusterName", Cluster.Cluster.Ref);
        Output("VpcId", Network.Vpc.VpcId);
        Output("LoadBalancerControllerRoleArn", Roles.LoadBalancerController.Role.RoleArn);
    }

    public Key Key { get; }

    public PlatformNetwork Network { get; }

    public PlatformCluster Cluster { get; }

    public PlatformDataStores DataStores { get; }

    public PlatformBuckets Buckets { get; }

    public PlatformServiceRoles Roles { get; }

    private void Output(string name, string value) => _ = new CfnOutput(this, name, new CfnOutputProps { Value = value });
}
