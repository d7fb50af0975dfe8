using Amazon.CDK;
using Amazon.CDK.AWS.EC2;
using Amazon.CDK.AWS.ElastiCache;
using Amazon.CDK.AWS.KMS;
using Amazon.CDK.AWS.RDS;
using Amazon.CDK.AWS.SecretsManager;
using Amazon.CDK.AWS.SSM;
using Constructs;

namespace AwsInfrastructure;

/// <summary>
/// Aurora PostgreSQL (the relational store) and ElastiCache Redis (queue, counters), both in the isolated subnets,
/// encrypted at rest with the platform key and in transit, reachable only from the cluster's security group.
/// </summary>
public sealed class PlatformDataStores : Construct
{
    public PlatformDataStores(Construct scope, string id, PlatformNetwork network, PlatformCluster cluster, IKey key) : base(scope, id)
    {
        var podsGroup = SecurityGroup.FromSecurityGroupId(this, "ClusterSecurityGroup", cluster.ClusterSecurityGroupId);

        var databaseGroup = new SecurityGroup(this, "DatabaseSecurityGroup", new SecurityGroupProps { Vpc = network.Vpc, AllowAllOutbound = false, Description = "Aurora: PostgreSQL from the EKS pods only" });
        databaseGroup.AddIngressRule(podsGroup, Port.Tcp(5432), "PostgreSQL from EKS");
        Database = new DatabaseCluster(this, "Aurora", new DatabaseClusterProps
        {
            Engine = DatabaseClusterEngine.AuroraPostgres(new AuroraPostgresClusterEngineProps { Version = AuroraPostgresEngineVersion.Of("16.8", "16") }),
            Credentials = Credentials.FromGeneratedSecret("platform", new CredentialsBaseOptions { SecretName = PlatformNames.AuroraSecret, EncryptionKey = key }),
            DefaultDatabaseName = PlatformNames.DatabaseName,
            Writer = ClusterInstance.ServerlessV2("writer"),
            Readers = [ClusterInstance.ServerlessV2("reader", new ServerlessV2ClusterInstanceProps { ScaleWithWriter = true })],
            ServerlessV2MinCapacity = 0.5,
            ServerlessV2MaxCapacity = 16,
            Vpc = network.Vpc,
            VpcSubnets = network.DataSubnets,
            SecurityGroups = [databaseGroup],
            StorageEncrypted = true,
            StorageEncryptionKey = key,
            Backup = new BackupProps { Retention = Duration.Days(14), PreferredWindow = "02:00-03:00" },
            CloudwatchLogsExports = ["postgresql"],
            DeletionProtection = true,
            RemovalPolicy = RemovalPolicy.SNAPSHOT,
        });

        RedisAuthToken = new Secret(this, "RedisAuthToken", new SecretProps
        {
            SecretName = PlatformNames.RedisAuthSecret,
            EncryptionKey = key,
            // ElastiCache AUTH tokens: 16-128 printable characters without @, " or /.
            GenerateSecretString = new SecretStringGenerator { PasswordLength = 64, ExcludePunctuation = true },
        });
        var redisGroup = new SecurityGroup(this, "RedisSecurityGroup", new SecurityGroupProps { Vpc = network.Vpc, AllowAllOutbound = false, Description = "ElastiCache: Redis from the EKS pods only" });
        redisGroup.AddIngressRule(podsGroup, Port.Tcp(6379), "Redis from EKS");
        var subnets = new CfnSubnetGroup(this, "RedisSubnets", new CfnSubnetGroupProps
        {
            Description = "Isolated subnets of the platform's Redis",
            SubnetIds = network.Vpc.SelectSubnets(network.DataSubnets).SubnetIds,
        });
        Redis = new CfnReplicationGroup(this, "Redis", new CfnReplicationGroupProps
        {
            ReplicationGroupDescription = "LLM platform: queue (Streams), shared counters, key cache",
            Engine = "redis",
            EngineVersion = "7.1",
            CacheNodeType = "cache.t4g.medium",
            NumCacheClusters = 2,
            AutomaticFailoverEnabled = true,
            MultiAzEnabled = true,
            Port = 6379,
            CacheSubnetGroupName = subnets.Ref,
            SecurityGroupIds = [redisGroup.SecurityGroupId],
            AtRestEncryptionEnabled = true,
            KmsKeyId = key.KeyArn,
            TransitEncryptionEnabled = true,
            AuthToken = RedisAuthToken.SecretValue.UnsafeUnwrap(),
            SnapshotRetentionLimit = 7,
            SnapshotWindow = "03:00-04:00",
        });

        _ = new StringParameter(this, "RedisEndpoint", new StringParameterProps
        {
            ParameterName = PlatformNames.RedisEndpointParameter,
            StringValue = Redis.AttrPrimaryEndPointAddress,
            Description = "Primary endpoint of the platform's Redis (TLS, port 6379)",
        });
    }

    public DatabaseCluster Database { get; }

    public Secret RedisAuthToken { get; }

    public CfnReplicationGroup Redis { get; }
}
