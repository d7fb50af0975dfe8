using System.Text.Json.Nodes;
using Amazon.CDK.Assertions;
using AwsInfrastructure;
using Infra.Tests.Kubernetes;

namespace Infra.Tests.Aws;

/// <summary>The AWS account the platform runs in: encrypted, private where data lives, least privilege, and agreeing with the manifests.</summary>
[Collection(EksOverlayCollection.Name)]
public sealed class PlatformStackTests(EksOverlay eks, PlatformTemplate platform) : IClassFixture<PlatformTemplate>
{
    private RenderedManifests Manifests => eks.Manifests;

    [Fact]
    public void Data_is_encrypted_at_rest_with_the_platform_key()
    {
        var key = Match.ObjectLike(new Dictionary<string, object> { ["Fn::GetAtt"] = new object[] { KeyId(), "Arn" } });

        Assert.All(platform.Resources("AWS::S3::Bucket"), bucket =>
            Assert.Equal("aws:kms", bucket.Properties["BucketEncryption"]!["ServerSideEncryptionConfiguration"]![0]!["ServerSideEncryptionByDefault"]!["SSEAlgorithm"]!.ToString()));
        platform.Template.HasResourceProperties("AWS::RDS::DBCluster", new Dictionary<string, object> { ["StorageEncrypted"] = true, ["KmsKeyId"] = key });
        platform.Template.HasResourceProperties("AWS::ElastiCache::ReplicationGroup", new Dictionary<string, object>
        {
            ["AtRestEncryptionEnabled"] = true, ["TransitEncryptionEnabled"] = true, ["KmsKeyId"] = key,
        });
        platform.Template.HasResourceProperties("AWS::EKS::Cluster", new Dictionary<string, object>
        {
            ["EncryptionConfig"] = new object[] { new Dictionary<string, object> { ["Resources"] = new[] { "secrets" }, ["Provider"] = new Dictionary<string, object> { ["KeyArn"] = key } } },
        });
        platform.Template.HasResourceProperties("AWS::EC2::LaunchTemplate", Match.ObjectLike(new Dictionary<string, object>
        {
            ["LaunchTemplateData"] = Match.ObjectLike(new Dictionary<string, object>
            {
                ["BlockDeviceMappings"] = new object[] { Match.ObjectLike(new Dictionary<string, object> { ["Ebs"] = Match.ObjectLike(new Dictionary<string, object> { ["Encrypted"] = true, ["KmsKeyId"] = key }) }) },
            }),
        }));
        Assert.All(platform.Resources("AWS::SecretsManager::Secret"), secret => Assert.NotNull(secret.Properties["KmsKeyId"]));
        Assert.All(platform.Resources("AWS::ECR::Repository"), repository => Assert.Equal("KMS", repository.Properties["EncryptionConfiguration"]!["EncryptionType"]!.ToString()));
        platform.Template.HasResourceProperties("AWS::KMS::Key", new Dictionary<string, object> { ["EnableKeyRotation"] = true });
    }

    [Fact]
    public void Data_stores_live_in_isolated_subnets_and_nodes_in_private_ones()
    {
        var isolated = Subnets("Isolated");
        var priv = Subnets("Private");

        var databaseSubnets = References(Assert.Single(platform.Resources("AWS::RDS::DBSubnetGroup")).Properties["SubnetIds"]);
        var redisSubnets = References(Assert.Single(platform.Resources("AWS::ElastiCache::SubnetGroup")).Properties["SubnetIds"]);
        var nodeSubnets = References(Assert.Single(platform.Resources("AWS::EKS::Nodegroup")).Properties["Subnets"]);

        Assert.Equal(isolated.Order(), databaseSubnets.Order());
        Assert.Equal(isolated.Order(), redisSubnets.Order());
        Assert.Equal(priv.Order(), nodeSubnets.Order());
        Assert.All(platform.Resources("AWS::RDS::DBInstance"), instance => Assert.False(instance.Properties["PubliclyAccessible"]?.GetValue<bool>() ?? false));
        Assert.DoesNotContain(platform.Resources("AWS::EC2::Route"), route => isolated.Any(s => RouteTableOfSubnet(s) == route.Properties["RouteTableId"]?["Ref"]?.ToString()));
    }

    [Fact]
    public void Data_stores_accept_connections_only_from_the_cluster()
    {
        foreach (var port in new[] { 5432, 6379 })
        {
            var ingress = platform.Resources("AWS::EC2::SecurityGroupIngress").Where(r => r.Properties["FromPort"]?.GetValue<int>() == port).ToList();
            var rule = Assert.Single(ingress);
            Assert.Equal(ClusterId(), rule.Properties["SourceSecurityGroupId"]!["Fn::GetAtt"]![0]!.ToString());
            Assert.Equal("ClusterSecurityGroupId", rule.Properties["SourceSecurityGroupId"]!["Fn::GetAtt"]![1]!.ToString());
        }

        Assert.DoesNotContain(platform.Resources("AWS::EC2::SecurityGroup"), group =>
            group.Properties["SecurityGroupIngress"]?.AsArray().Any(rule => rule?["CidrIp"]?.ToString() == "0.0.0.0/0") == true);
    }

    /// <summary>Each IRSA role can be assumed only by its service account's tokens, and the manifests annotate exactly those accounts.</summary>
    [Fact]
    public void Each_service_role_trusts_only_its_own_service_account()
    {
        var subjectsByRole = TrustedSubjects();
        var expected = EksIntegrationTests.RoleOfServiceAccount.Keys.Select(account => $"system:serviceaccount:{PlatformNames.Namespace}:{account}")
            .Append("system:serviceaccount:kube-system:ebs-csi-controller-sa")
            .Append("system:serviceaccount:kube-system:aws-load-balancer-controller");

        Assert.Equal(expected.Order(), subjectsByRole.Values.Order());
        Assert.Equal(PlatformNames.Namespace, Manifests.Single("Namespace", PlatformNames.Namespace).Name());

        foreach (var (account, setting) in EksIntegrationTests.RoleOfServiceAccount)
        {
            var output = platform.Json["Outputs"]![SettingToOutput(setting)]!["Value"]!["Fn::GetAtt"]!;
            Assert.Equal("Arn", output[1]!.ToString());
            Assert.Equal($"system:serviceaccount:{PlatformNames.Namespace}:{account}", subjectsByRole[output[0]!.ToString()]);
        }
    }

    [Fact]
    public void Service_roles_reach_only_their_own_resources()
    {
        var policies = platform.Resources("AWS::IAM::Policy").ToList();
        Assert.All(policies.SelectMany(p => p.Properties["PolicyDocument"]!["Statement"]!.AsArray()), statement =>
        {
            Assert.DoesNotContain(Actions(statement), action => action == "*" || action.EndsWith(":*", StringComparison.Ordinal));
            Assert.NotEqual("*", statement!["Resource"]?.ToString());
        });

        Assert.Equal(["Events"], BucketsReachableBy("traceingest"));
        Assert.Equal(["ClickHouse"], BucketsReachableBy("clickhouse"));
        Assert.Empty(BucketsReachableBy("gateway"));
        Assert.Empty(BucketsReachableBy("external-secrets-reader"));
    }

    [Fact]
    public void The_overlays_stack_settings_are_the_stacks_outputs()
    {
        var settings = File.ReadAllLines(RepositoryFiles.PathOf("infra/k8s/overlays/eks/stack.env"))
            .Where(line => line.Contains('=', StringComparison.Ordinal) && !line.StartsWith('#'))
            .Select(line => line[..line.IndexOf('=', StringComparison.Ordinal)]);
        var outputs = platform.Json["Outputs"]!.AsObject().Select(o => o.Key).ToHashSet();

        Assert.All(settings, setting => Assert.Contains(SettingToOutput(setting), outputs));
        Assert.Contains("s/([a-z0-9])([A-Z])/\\1_\\2/g", RepositoryFiles.Read("infra/aws/write-stack-env.sh"));
    }

    [Fact]
    public void Every_secret_and_parameter_the_manifests_read_is_created_or_documented()
    {
        var secretNames = platform.Resources("AWS::SecretsManager::Secret").Select(s => s.Properties["Name"]!.ToString()).ToHashSet();
        var parameterNames = platform.Resources("AWS::SSM::Parameter").Select(s => s.Properties["Name"]!.ToString()).ToHashSet();
        var deployGuide = RepositoryFiles.Read("docs/deploy-eks.md");

        foreach (var externalSecret in Manifests.OfKind("ExternalSecret"))
        {
            foreach (var (store, key) in ExternalSecrets.RemoteKeys(externalSecret))
            {
                if (store == "aws-secrets-manager")
                {
                    Assert.Contains(key, secretNames);
                }
                else if (!parameterNames.Contains(key))
                {
                    // What operators add themselves (provider keys, Entra ID, the first admin) is in the guide, by name.
                    Assert.True(deployGuide.Contains($"--name {key} ", StringComparison.Ordinal), $"{externalSecret.Name()} reads {key}, which neither the stack creates nor docs/deploy-eks.md tells operators to add");
                }
            }
        }
    }

    [Fact]
    public void Image_repositories_are_the_ones_the_services_publish_to()
    {
        var repositories = platform.Resources("AWS::ECR::Repository").Select(r => r.Properties["RepositoryName"]!.ToString()).Order();
        var published = new[] { "Gateway", "TraceIngest", "TraceUi", "Standalone" }.Select(p => ServiceProjects.Property(p, "ContainerRepository")!).Order();

        Assert.Equal(published, repositories);
    }

    [Fact]
    public void Network_policies_are_enforced_and_name_the_vpc()
    {
        platform.Template.HasResourceProperties("AWS::EKS::Addon", new Dictionary<string, object>
        {
            ["AddonName"] = "vpc-cni", ["ConfigurationValues"] = Match.StringLikeRegexp("\"enableNetworkPolicy\"\\s*:\\s*\"true\""),
        });
        platform.Template.HasResourceProperties("AWS::EC2::VPC", new Dictionary<string, object> { ["CidrBlock"] = PlatformNames.VpcCidr });

        var blocks = Manifests.OfKind("NetworkPolicy")
            .SelectMany(p => ManifestNodes.Objects(p["spec"]!["ingress"]).SelectMany(r => ManifestNodes.Objects(r["from"]))
                .Concat(ManifestNodes.Objects(p["spec"]!["egress"]).SelectMany(r => ManifestNodes.Objects(r["to"]))))
            .Select(peer => peer.Text("ipBlock", "cidr"))
            .Where(cidr => cidr is not null && cidr != "0.0.0.0/0")
            .Distinct();
        Assert.Equal([PlatformNames.VpcCidr], blocks);
    }

    private string KeyId() => Assert.Single(platform.Resources("AWS::KMS::Key")).Id;

    private string ClusterId() => Assert.Single(platform.Resources("AWS::EKS::Cluster")).Id;

    private List<string> Subnets(string type) =>
        platform.Resources("AWS::EC2::Subnet")
            .Where(s => s.Properties["Tags"]!.AsArray().Any(t => t!["Key"]!.ToString() == "aws-cdk:subnet-type" && t["Value"]!.ToString() == type))
            .Select(s => s.Id).ToList();

    private string? RouteTableOfSubnet(string subnet) =>
        platform.Resources("AWS::EC2::SubnetRouteTableAssociation")
            .Where(a => a.Properties["SubnetId"]?["Ref"]?.ToString() == subnet)
            .Select(a => a.Properties["RouteTableId"]?["Ref"]?.ToString()).SingleOrDefault();

    private static List<string> References(JsonNode? array) => array!.AsArray().Select(r => r!["Ref"]!.ToString()).ToList();

    private static IEnumerable<string> Actions(JsonNode? statement) =>
        statement?["Action"] is JsonArray many ? many.Select(a => a!.ToString()) : [statement!["Action"]!.ToString()];

    /// <summary>Role logical id → the single service account subject its trust policy allows.</summary>
    private Dictionary<string, string> TrustedSubjects()
    {
        var conditions = platform.Json["Resources"]!.AsObject()
            .Where(r => (string)r.Value!["Type"]! == "Custom::AWSCDKCfnJson")
            .ToDictionary(r => r.Key, r => JsonNode.Parse(r.Value!["Properties"]!["Value"]!["Fn::Join"]![1]!.AsArray().Select(p => p is JsonValue ? p.ToString() : "ISSUER").Aggregate(string.Empty, string.Concat))!.AsObject());
        var subjects = new Dictionary<string, string>();
        foreach (var (id, role) in platform.Resources("AWS::IAM::Role"))
        {
            var statements = role["AssumeRolePolicyDocument"]!["Statement"]!.AsArray();
            var federated = statements.Where(s => s!["Action"]!.ToString() == "sts:AssumeRoleWithWebIdentity").ToList();
            if (federated.Count == 0)
            {
                continue;
            }

            var statement = Assert.Single(statements);
            Assert.Equal(OidcProviderId(), statement!["Principal"]!["Federated"]!["Fn::GetAtt"]![0]!.ToString());
            var condition = conditions[statement["Condition"]!["StringEquals"]!["Fn::GetAtt"]![0]!.ToString()];
            Assert.Equal("sts.amazonaws.com", condition["ISSUER:aud"]!.ToString());
            Assert.Equal(2, condition.Count);
            subjects[id] = condition["ISSUER:sub"]!.ToString();
        }

        return subjects;
    }

    private string OidcProviderId() => Assert.Single(platform.Resources("AWS::IAM::OIDCProvider")).Id;

    /// <summary>The buckets (by construct: Events, ClickHouse) the IRSA role of a service account may touch.</summary>
    private List<string> BucketsReachableBy(string serviceAccount)
    {
        var roleId = platform.Resources("AWS::IAM::Role")
            .Single(r => r.Properties["Description"]?.ToString() == $"IRSA role of system:serviceaccount:{PlatformNames.Namespace}:{serviceAccount}").Id;
        var buckets = platform.Resources("AWS::S3::Bucket").Select(b => b.Id).ToList();
        return platform.Resources("AWS::IAM::Policy")
            .Where(p => p.Properties["Roles"]!.AsArray().Any(r => r!["Ref"]?.ToString() == roleId))
            .Select(p => p.Properties["PolicyDocument"]!.ToJsonString())
            .SelectMany(document => buckets.Where(id => document.Contains($"\"{id}\"", StringComparison.Ordinal)))
            .Distinct()
            .Select(id => id.StartsWith("BucketsEvents", StringComparison.Ordinal) ? "Events" : id.StartsWith("BucketsClickHouse", StringComparison.Ordinal) ? "ClickHouse" : id)
            .ToList();
    }

    /// <summary>write-stack-env.sh's naming, reversed: GATEWAY_ROLE_ARN is the output GatewayRoleArn.</summary>
    private static string SettingToOutput(string setting) =>
        string.Concat(setting.Split('_').Select(word => word[..1] + word[1..].ToLowerInvariant()));
}
