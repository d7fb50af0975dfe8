using Amazon.CDK;
using Amazon.CDK.AWS.IAM;
using Constructs;

namespace AwsInfrastructure;

/// <summary>
/// An IAM role for one Kubernetes service account (IRSA): only a token of that account, in that namespace, issued
/// by this cluster for STS, can assume it.
/// </summary>
public sealed class ServiceAccountRole : Construct
{
    public ServiceAccountRole(Construct scope, string id, PlatformCluster cluster, string @namespace, string serviceAccount) : base(scope, id)
    {
        Subject = $"system:serviceaccount:{@namespace}:{serviceAccount}";

        // The issuer (without https://) is known only once the cluster exists, and it is part of the condition keys:
        // CfnJson resolves such keys at deployment.
        var issuer = Fn.Select(1, Fn.Split("//", cluster.Cluster.AttrOpenIdConnectIssuerUrl));
        var conditions = new CfnJson(this, "TrustConditions", new CfnJsonProps
        {
            Value = new Dictionary<string, object>
            {
                [$"{issuer}:sub"] = Subject,
                [$"{issuer}:aud"] = "sts.amazonaws.com",
            },
        });

        Role = new Role(this, "Role", new RoleProps
        {
            Description = $"IRSA role of {Subject}",
            AssumedBy = new FederatedPrincipal(
                cluster.OidcProvider.AttrArn,
                new Dictionary<string, object> { ["StringEquals"] = conditions },
                "sts:AssumeRoleWithWebIdentity"),
        });
    }

    public string Subject { get; }

    public Role Role { get; }
}
