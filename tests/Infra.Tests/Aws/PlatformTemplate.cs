using System.Text.Json.Nodes;
using Amazon.CDK;
using Amazon.CDK.Assertions;
using AwsInfrastructure;

namespace Infra.Tests.Aws;

/// <summary>The platform stack synthesised once (offline: the CDK runs its jsii kernel on the machine's node).</summary>
public sealed class PlatformTemplate : IDisposable
{
    public const string Account = "123456789012";
    public const string Region = "eu-west-1";

    private readonly TemporaryDirectory _output = new("infra-cdk-");

    public PlatformTemplate()
    {
        // The CDK's kernel runs on the machine's node and says so at length when that node is old; the tests do not mind.
        foreach (var warning in new[] { "UNTESTED", "DEPRECATED", "END_OF_LIFE" })
        {
            System.Environment.SetEnvironmentVariable($"JSII_SILENCE_WARNING_{warning}_NODE_VERSION", "1");
        }

        var app = new App(new AppProps { Outdir = _output.Path });
        Stack = new PlatformStack(app, "LlmPlatform", new PlatformStackProps
        {
            Env = new Amazon.CDK.Environment { Account = Account, Region = Region },
        });
        Template = Template.FromStack(Stack);
        Json = JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(Template.ToJSON()))!.AsObject();
    }

    public PlatformStack Stack { get; }

    public Template Template { get; }

    /// <summary>The CloudFormation template as JSON, for the questions the assertion library does not ask.</summary>
    public JsonObject Json { get; }

    public IEnumerable<(string Id, JsonObject Properties)> Resources(string type) =>
        Json["Resources"]!.AsObject()
            .Where(r => (string)r.Value!["Type"]! == type)
            .Select(r => (r.Key, r.Value!["Properties"]?.AsObject() ?? new JsonObject()));

    public void Dispose() => _output.Dispose();
}
