using Amazon.CDK;
using Amazon.CDK.AWS.EC2;
using Constructs;

namespace AwsInfrastructure;

/// <summary>
/// Three tiers in every zone: public (the load balancer, NAT), private with egress (EKS nodes and pods) and
/// isolated (Aurora, ElastiCache: no route out at all). S3 is reached through a gateway endpoint.
/// </summary>
public sealed class PlatformNetwork : Construct
{
    public PlatformNetwork(Construct scope, string id) : base(scope, id)
    {
        Vpc = new Vpc(this, "Vpc", new VpcProps
        {
            IpAddresses = IpAddresses.Cidr(PlatformNames.VpcCidr),
            MaxAzs = 3,
            NatGateways = 1,
            SubnetConfiguration =
            [
                new SubnetConfiguration { Name = "public", SubnetType = SubnetType.PUBLIC, CidrMask = 24 },
                new SubnetConfiguration { Name = "nodes", SubnetType = SubnetType.PRIVATE_WITH_EGRESS, CidrMask = 20 },
                new SubnetConfiguration { Name = "data", SubnetType = SubnetType.PRIVATE_ISOLATED, CidrMask = 24 },
            ],
            GatewayEndpoints = new Dictionary<string, IGatewayVpcEndpointOptions>
            {
                ["S3"] = new GatewayVpcEndpointOptions { Service = GatewayVpcEndpointAwsService.S3 },
            },
        });

        // How the AWS Load Balancer Controller finds the subnets for internet-facing and internal load balancers.
        foreach (var subnet in Vpc.PublicSubnets)
        {
            Tags.Of(subnet).Add("kubernetes.io/role/elb", "1");
        }

        foreach (var subnet in Vpc.PrivateSubnets)
        {
            Tags.Of(subnet).Add("kubernetes.io/role/internal-elb", "1");
        }
    }

    public Vpc Vpc { get; }

    public SubnetSelection NodeSubnets => new() { SubnetType = SubnetType.PRIVATE_WITH_EGRESS };

    public SubnetSelection DataSubnets => new() { SubnetType = SubnetType.PRIVATE_ISOLATED };
}
