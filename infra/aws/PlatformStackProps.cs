using Amazon.CDK;

namespace AwsInfrastructure;

public sealed class PlatformStackProps : StackProps
{
    public const string DefaultKubernetesVersion = "1.33";

    public string KubernetesVersion { get; init; } = DefaultKubernetesVersion;

    /// <summary>Who may reach the cluster's public API endpoint (kubectl); the nodes use the private one.</summary>
    public IReadOnlyList<string> ClusterAdminCidrs { get; init; } = ["0.0.0.0/0"];
}
