using Amazon.CDK;
using AwsInfrastructure;

var app = new App();
_ = new PlatformStack(app, "LlmPlatform", new PlatformStackProps
{
    Env = new Amazon.CDK.Environment
    {
        Account = System.Environment.GetEnvironmentVariable("CDK_DEFAULT_ACCOUNT"),
        Region = System.Environment.GetEnvironmentVariable("CDK_DEFAULT_REGION"),
    },
    KubernetesVersion = app.Node.TryGetContext("llm-platform:kubernetesVersion") as string ?? PlatformStackProps.DefaultKubernetesVersion,
    ClusterAdminCidrs = (app.Node.TryGetContext("llm-platform:clusterAdminCidrs") as string ?? "0.0.0.0/0").Split(','),
});
app.Synth();
