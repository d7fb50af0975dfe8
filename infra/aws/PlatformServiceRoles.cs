using Amazon.CDK;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.KMS;
using Constructs;

namespace AwsInfrastructure;

/// <summary>The IAM role of each service account whose pods call AWS, each allowed only what that service does.</summary>
public sealed class PlatformServiceRoles : Construct
{
    public PlatformServiceRoles(Construct scope, string id, PlatformCluster cluster, PlatformBuckets buckets, IKey key) : base(scope, id)
    {
        var stack = Stack.Of(this);

        // Bedrock models (the gateway's bedrock/ provider): invoke only, streaming included.
        Gateway = new ServiceAccountRole(this, "Gateway", cluster, PlatformNames.Namespace, "gateway");
        Gateway.Role.AddToPolicy(new PolicyStatement(new PolicyStatementProps
        {
            Actions = ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"],
            Resources = ["arn:aws:bedrock:*::foundation-model/*", $"arn:aws:bedrock:{stack.Region}:{stack.Account}:inference-profile/*"],
        }));

        // Raw events: written by the api, read by the worker.
        TraceIngest = new ServiceAccountRole(this, "TraceIngest", cluster, PlatformNames.Namespace, "traceingest");
        GrantObjects(TraceIngest.Role, buckets.Events.BucketArn, ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]);

        // Table data: ClickHouse writes, reads, lists and deletes parts, with multipart uploads for large ones.
        ClickHouse = new ServiceAccountRole(this, "ClickHouse", cluster, PlatformNames.Namespace, "clickhouse");
        GrantObjects(ClickHouse.Role, buckets.ClickHouse.BucketArn, ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"]);

        // The External Secrets Operator reads the platform's secrets and parameters with this account's token.
        SecretsReader = new ServiceAccountRole(this, "SecretsReader", cluster, PlatformNames.Namespace, "external-secrets-reader");
        SecretsReader.Role.AddToPolicy(new PolicyStatement(new PolicyStatementProps
        {
            Actions = ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
            Resources = [$"arn:aws:secretsmanager:{stack.Region}:{stack.Account}:secret:llm-platform/*"],
        }));
        SecretsReader.Role.AddToPolicy(new PolicyStatement(new PolicyStatementProps
        {
            Actions = ["ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath"],
            Resources = [$"arn:aws:ssm:{stack.Region}:{stack.Account}:parameter{PlatformNames.ParameterPrefix}*"],
        }));
        key.Grant(SecretsReader.Role, "kms:Decrypt");

        // The AWS Load Balancer Controller (kube-system); its policy is the one published with the controller's
        // release, attached at installation (docs/deploy-eks.md), so it matches the version installed.
        LoadBalancerController = new ServiceAccountRole(this, "LoadBalancerController", cluster, "kube-system", "aws-load-balancer-controller");

        void GrantObjects(IRole role, string bucketArn, string[] actions)
        {
            role.AddToPrincipalPolicy(new PolicyStatement(new PolicyStatementProps { Actions = actions, Resources = [$"{bucketArn}/*"] }));
            role.AddToPrincipalPolicy(new PolicyStatement(new PolicyStatementProps { Actions = ["s3:ListBucket", "s3:GetBucketLocation"], Resources = [bucketArn] }));
            key.Grant(role, "kms:Decrypt", "kms:GenerateDataKey");
        }
    }

    public ServiceAccountRole Gateway { get; }

    public ServiceAccountRole TraceIngest { get; }

    public ServiceAccountRole ClickHouse { get; }

    public ServiceAccountRole SecretsReader { get; }

    public ServiceAccountRole LoadBalancerController { get; }
}
