using Gateway.Configuration;
using Gateway.Providers.Bedrock;

namespace Gateway.Tests.Providers.Bedrock;

/// <summary>How a <c>bedrock/</c> deployment's model id, region, endpoint and credentials are read, LiteLLM's way.</summary>
public sealed class BedrockTargetTests
{
    private static (BedrockTarget? Target, string? Unusable, string? Error) Read(string yamlParams, Dictionary<string, string>? environment = null)
    {
        var config = LiteLlmConfigReader.Read($"""
            model_list:
              - model_name: m
                litellm_params:
            {yamlParams}
            """, null, name => environment?.GetValueOrDefault(name));
        return BedrockTarget.From(config.ModelList[0].Params, name => environment?.GetValueOrDefault(name));
    }

    [Fact]
    public void An_inference_profile_in_a_configured_region_calls_that_regions_runtime_endpoint()
    {
        var (target, _, _) = Read("""
                  model: bedrock/eu.anthropic.claude-sonnet-4-20250514-v1:0
                  aws_region_name: eu-central-1
            """);

        Assert.Equal("eu.anthropic.claude-sonnet-4-20250514-v1:0", target!.ModelId);
        Assert.Equal(BedrockModelFamily.Anthropic, target.Family);
        Assert.Equal("https://bedrock-runtime.eu-central-1.amazonaws.com/model/eu.anthropic.claude-sonnet-4-20250514-v1%3A0/converse", target.ActionUri("converse").AbsoluteUri);
        Assert.Equal("the AWS default credential chain", target.Credentials!.Description);
    }

    [Fact]
    public void Region_comes_from_the_ARN_then_the_environment_then_LiteLLMs_default()
    {
        var arn = Read("      model: bedrock/arn:aws:bedrock:ap-northeast-1:123456789012:application-inference-profile/abc123");
        var environment = Read("      model: bedrock/anthropic.claude-3-haiku-20240307-v1:0", new() { ["AWS_REGION"] = "ca-central-1" });
        var fallback = Read("      model: bedrock/anthropic.claude-3-haiku-20240307-v1:0");

        Assert.Equal("ap-northeast-1", arn.Target!.Region);
        Assert.EndsWith("/model/arn%3Aaws%3Abedrock%3Aap-northeast-1%3A123456789012%3Aapplication-inference-profile%2Fabc123/converse", arn.Target.ActionUri("converse").AbsoluteUri, StringComparison.Ordinal);
        Assert.Equal("ca-central-1", environment.Target!.Region);
        Assert.Equal(BedrockTarget.DefaultRegion, fallback.Target!.Region);
    }

    [Fact]
    public void Credentials_are_chosen_in_LiteLLMs_order_and_named_without_secrets()
    {
        var explicitKeys = Read("""
                  model: bedrock/amazon.nova-pro-v1:0
                  aws_access_key_id: AKIAEXAMPLE
                  aws_secret_access_key: secret-value
                  aws_role_name: arn:aws:iam::123456789012:role/bedrock
            """);
        var profile = Read("""
                  model: bedrock/amazon.nova-pro-v1:0
                  aws_profile_name: team-a
            """);
        var environment = Read("      model: bedrock/amazon.nova-pro-v1:0", new() { ["AWS_ACCESS_KEY_ID"] = "AKIAENV", ["AWS_SECRET_ACCESS_KEY"] = "env-secret" });
        var apiKey = Read("      model: bedrock/amazon.nova-pro-v1:0", new() { ["AWS_BEARER_TOKEN_BEDROCK"] = "bedrock-api-key" });

        Assert.Equal("role arn:aws:iam::123456789012:role/bedrock assumed with the deployment's aws_access_key_id", explicitKeys.Target!.Credentials!.Description);
        Assert.Equal("profile team-a", profile.Target!.Credentials!.Description);
        Assert.Equal("AWS_ACCESS_KEY_ID", environment.Target!.Credentials!.Description);
        Assert.Null(apiKey.Target!.Credentials);
        Assert.Equal("bedrock-api-key", apiKey.Target.BearerToken!.Reveal());
        Assert.DoesNotContain("secret", explicitKeys.Target.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void LiteLLMs_invoke_only_routes_make_the_deployment_unusable_and_a_bad_region_is_a_config_error()
    {
        var route = Read("      model: bedrock/llama/arn:aws:bedrock:us-east-1:123456789012:imported-model/abc");
        var region = Read("""
                  model: bedrock/anthropic.claude-3-haiku-20240307-v1:0
                  aws_region_name: Virginia
            """);

        Assert.Contains("'llama/' InvokeModel route is not supported", route.Unusable, StringComparison.Ordinal);
        Assert.StartsWith("aws_region_name:", region.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_profile_from_the_shared_credentials_file_signs_requests()
    {
        using var directory = new TemporaryDirectory();
        var file = directory.Combine("credentials");
        await File.WriteAllTextAsync(file, $"""
            [team-a]
            aws_access_key_id = {FakeBedrockUpstream.AccessKeyId}
            aws_secret_access_key = {FakeBedrockUpstream.SecretKey}
            aws_session_token = profile-session-token
            """, TestContext.Current.CancellationToken);
        var (target, _, _) = Read("""
                  model: bedrock/amazon.nova-pro-v1:0
                  aws_profile_name: team-a
            """, new() { ["AWS_SHARED_CREDENTIALS_FILE"] = file });

        var credentials = await target!.Credentials!.GetAsync();

        Assert.Equal(FakeBedrockUpstream.AccessKeyId, credentials.AccessKey);
        Assert.Equal("profile-session-token", credentials.Token);
    }
}
