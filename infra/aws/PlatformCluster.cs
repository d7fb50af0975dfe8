using Amazon.CDK;
using Amazon.CDK.AWS.EC2;
using Amazon.CDK.AWS.EKS;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.KMS;
using Constructs;

namespace AwsInfrastructure;

/// <summary>
/// The EKS cluster as CloudFormation resources (no kubectl custom resource): access entries for authentication,
/// Kubernetes secrets encrypted with the platform key, a managed node group on encrypted volumes in the private
/// subnets, the VPC CNI with network policy enforcement, the EBS CSI driver, and the OIDC provider that IAM roles
/// for service accounts trust.
/// </summary>
public sealed class PlatformCluster : Construct
{
    public PlatformCluster(Construct scope, string id, PlatformNetwork network, IKey key, PlatformStackProps props) : base(scope, id)
    {
        var clusterRole = new Role(this, "ClusterRole", new RoleProps
        {
            AssumedBy = new ServicePrincipal("eks.amazonaws.com"),
            ManagedPolicies = [ManagedPolicy.FromAwsManagedPolicyName("AmazonEKSClusterPolicy")],
        });
        key.GrantEncryptDecrypt(clusterRole);

        var nodeSubnets = network.Vpc.SelectSubnets(network.NodeSubnets).SubnetIds;
        Cluster = new CfnCluster(this, "Cluster", new CfnClusterProps
        {
            Name = PlatformNames.ClusterName,
            Version = props.KubernetesVersion,
            RoleArn = clusterRole.RoleArn,
            ResourcesVpcConfig = new CfnCluster.ResourcesVpcConfigProperty
            {
                SubnetIds = nodeSubnets,
                EndpointPrivateAccess = true,
                EndpointPublicAccess = true,
                PublicAccessCidrs = props.ClusterAdminCidrs.ToArray(),
            },
            AccessConfig = new CfnCluster.AccessConfigProperty
            {
                AuthenticationMode = "API",
                BootstrapClusterCreatorAdminPermissions = true,
            },
            EncryptionConfig = new object[]
            {
                new CfnCluster.EncryptionConfigProperty
                {
                    Provider = new CfnCluster.ProviderProperty { KeyArn = key.KeyArn },
                    Resources = ["secrets"],
                },
            },
            Logging = new CfnCluster.LoggingProperty
            {
                ClusterLogging = new CfnCluster.ClusterLoggingProperty
                {
                    EnabledTypes = new[] { "api", "audit", "authenticator" }.Select(type => new CfnCluster.LoggingTypeConfigProperty { Type = type }).ToArray(),
                },
            },
        });

        OidcProvider = new CfnOIDCProvider(this, "OidcProvider", new CfnOIDCProviderProps
        {
            Url = Cluster.AttrOpenIdConnectIssuerUrl,
            ClientIdList = ["sts.amazonaws.com"],
        });

        var nodeRole = new Role(this, "NodeRole", new RoleProps
        {
            AssumedBy = new ServicePrincipal("ec2.amazonaws.com"),
            ManagedPolicies =
            [
                ManagedPolicy.FromAwsManagedPolicyName("AmazonEKSWorkerNodePolicy"),
                ManagedPolicy.FromAwsManagedPolicyName("AmazonEKS_CNI_Policy"),
                ManagedPolicy.FromAwsManagedPolicyName("AmazonEC2ContainerRegistryReadOnly"),
            ],
        });

        var launchTemplate = new CfnLaunchTemplate(this, "NodeLaunchTemplate", new CfnLaunchTemplateProps
        {
            LaunchTemplateData = new CfnLaunchTemplate.LaunchTemplateDataProperty
            {
                BlockDeviceMappings = new object[]
                {
                    new CfnLaunchTemplate.BlockDeviceMappingProperty
                    {
                        DeviceName = "/dev/xvda",
                        Ebs = new CfnLaunchTemplate.EbsProperty { VolumeSize = 50, VolumeType = "gp3", Encrypted = true, KmsKeyId = key.KeyArn },
                    },
                },
                MetadataOptions = new CfnLaunchTemplate.MetadataOptionsProperty { HttpTokens = "required", HttpPutResponseHopLimit = 2 },
            },
        });
        key.Grant(new ServicePrincipal("autoscaling.amazonaws.com"), "kms:CreateGrant", "kms:Decrypt", "kms:GenerateDataKeyWithoutPlaintext", "kms:ReEncrypt*", "kms:DescribeKey");

        _ = new CfnNodegroup(this, "Nodes", new CfnNodegroupProps
        {
            ClusterName = Cluster.Ref,
            NodeRole = nodeRole.RoleArn,
            Subnets = nodeSubnets,
            AmiType = "AL2023_x86_64_STANDARD",
            InstanceTypes = ["m7i.xlarge"],
            ScalingConfig = new CfnNodegroup.ScalingConfigProperty { MinSize = 3, DesiredSize = 3, MaxSize = 9 },
            UpdateConfig = new CfnNodegroup.UpdateConfigProperty { MaxUnavailable = 1 },
            LaunchTemplate = new CfnNodegroup.LaunchTemplateSpecificationProperty { Id = launchTemplate.Ref, Version = launchTemplate.AttrLatestVersionNumber },
        });

        AddAddon("VpcCni", "vpc-cni", configuration: """{"enableNetworkPolicy":"true"}""");
        AddAddon("CoreDns", "coredns");
        AddAddon("KubeProxy", "kube-proxy");

        var ebsCsi = new ServiceAccountRole(this, "EbsCsiDriverRole", this, "kube-system", "ebs-csi-controller-sa");
        ebsCsi.Role.AddManagedPolicy(ManagedPolicy.FromAwsManagedPolicyName("service-role/AmazonEBSCSIDriverPolicy"));
        key.Grant(ebsCsi.Role, "kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant", "kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey");
        AddAddon("EbsCsiDriver", "aws-ebs-csi-driver", serviceAccountRole: ebsCsi.Role);

        void AddAddon(string addonId, string name, string? configuration = null, IRole? serviceAccountRole = null) =>
            _ = new CfnAddon(this, addonId, new CfnAddonProps
            {
                ClusterName = Cluster.Ref,
                AddonName = name,
                ResolveConflicts = "OVERWRITE",
                ConfigurationValues = configuration,
                ServiceAccountRoleArn = serviceAccountRole?.RoleArn,
            });
    }

    public CfnCluster Cluster { get; }

    public CfnOIDCProvider OidcProvider { get; }

    /// <summary>EKS puts this group on the control plane's interfaces and on managed nodes, so on the pods too.</summary>
    public string ClusterSecurityGroupId => Cluster.AttrClusterSecurityGroupId;
}
