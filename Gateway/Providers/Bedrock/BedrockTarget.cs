using System.Text.RegularExpressions;
using Gateway.Configuration;
using Gateway.Providers.Bedrock.Aws;

namespace Gateway.Providers.Bedrock;

/// <summary>
/// Where and as whom a <c>bedrock/</c> deployment calls Bedrock Runtime, read from its <c>litellm_params</c> the way
/// LiteLLM reads them: the model id (a foundation model, a cross-region inference profile such as
/// <c>us.anthropic.…</c>, or an ARN; LiteLLM's <c>converse/</c> and <c>invoke/</c> route prefixes accepted), the
/// region, the endpoint, and a Bedrock API key (bearer token) or the AWS credentials that sign each request.
/// </summary>
internal sealed partial record BedrockTarget(string ModelId, BedrockModelFamily Family, string Region, Uri Endpoint, SecretValue? BearerToken, AwsCredentialSource? Credentials)
{
    public const string DefaultRegion = "us-west-2";

    /// <summary>The target, or the reason the deployment cannot be called (<c>Unusable</c>), or a config error (<c>Error</c>, relative to <c>litellm_params</c>).</summary>
    public static (BedrockTarget? Target, string? Unusable, string? Error) From(LiteLlmParams parameters, Func<string, string?> environment)
    {
        string? Setting(string key) => parameters.Extra.TryGetValue(key, out var value) && value.Length > 0 ? value : null;
        string? Environment(string key) => environment(key) is { Length: > 0 } value ? value : null;

        var modelId = parameters.ProviderModel;
        foreach (var route in (ReadOnlySpan<string>)["converse/", "invoke/"])
        {
            if (modelId.StartsWith(route, StringComparison.Ordinal))
            {
                modelId = modelId[route.Length..];
                break;
            }
        }

        if (modelId.Length == 0)
        {
            return (null, null, "model: names no Bedrock model id after the route prefix");
        }

        var arnRegion = ArnRegion(modelId);
        if (arnRegion is null && modelId.Contains('/', StringComparison.Ordinal))
        {
            var route = modelId[..modelId.IndexOf('/', StringComparison.Ordinal)];
            return (null, $"LiteLLM's '{route}/' InvokeModel route is not supported: this gateway calls Bedrock's Converse API (use the plain model id or an ARN)", null);
        }

        var region = parameters.AwsRegionName ?? arnRegion ?? Environment("AWS_REGION_NAME") ?? Environment("AWS_REGION") ?? Environment("AWS_DEFAULT_REGION") ?? DefaultRegion;
        if (!RegionPattern().IsMatch(region))
        {
            return (null, null, $"aws_region_name: '{region}' is not an AWS region name like us-east-1");
        }

        var endpointText = parameters.ApiBase?.AbsoluteUri ?? Setting("aws_bedrock_runtime_endpoint") ?? Environment("AWS_BEDROCK_RUNTIME_ENDPOINT")
            ?? Environment("AWS_ENDPOINT_URL_BEDROCK_RUNTIME");
        Uri endpoint;
        if (endpointText is null)
        {
            endpoint = new Uri($"https://bedrock-runtime.{region}.{(region.StartsWith("cn-", StringComparison.Ordinal) ? "amazonaws.com.cn" : "amazonaws.com")}");
        }
        else if (!Uri.TryCreate(endpointText, UriKind.Absolute, out endpoint!) || endpoint.Scheme is not ("http" or "https"))
        {
            return (null, null, $"aws_bedrock_runtime_endpoint: '{endpointText}' is not an absolute http(s) URL");
        }

        var bearer = parameters.ApiKey ?? (Environment("AWS_BEARER_TOKEN_BEDROCK") is { } token ? new SecretValue(token) : null);
        var credentials = bearer is null ? AwsCredentialSource.From(Setting, Environment) : null;
        return (new BedrockTarget(modelId, BedrockModelFamilies.Of(modelId), region, endpoint, bearer, credentials), null, null);
    }

    /// <summary><c>{endpoint}/model/{model id}/{action}</c>, the model id escaped as one path segment (an ARN's <c>:</c> and <c>/</c> included).</summary>
    public Uri ActionUri(string action) => new($"{Endpoint.AbsoluteUri.TrimEnd('/')}/model/{Uri.EscapeDataString(ModelId)}/{action}");

    /// <summary>The region of <c>arn:aws:bedrock:&lt;region&gt;:…</c>, or null when the id is not an ARN.</summary>
    private static string? ArnRegion(string modelId)
    {
        if (!modelId.StartsWith("arn:", StringComparison.Ordinal))
        {
            return null;
        }

        var parts = modelId.Split(':');
        return parts.Length > 4 && parts[3].Length > 0 ? parts[3] : null;
    }

    [GeneratedRegex("^[a-z]{2}(-[a-z]+)+-\\d+$")]
    private static partial Regex RegionPattern();

    public override string ToString() => $"bedrock {ModelId} in {Region} at {Endpoint}";
}
