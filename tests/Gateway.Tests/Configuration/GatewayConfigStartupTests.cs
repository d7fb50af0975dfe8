using System.Net;
using Gateway.Configuration;

namespace Gateway.Tests.Configuration;

public sealed class GatewayConfigStartupTests : IDisposable
{
    private readonly TemporaryDirectory _data = new();

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    private string Write(string name, string yaml)
    {
        var path = _data.Combine(name);
        File.WriteAllText(path, yaml);
        return path;
    }

    [Fact]
    public async Task The_config_argument_wins_over_CONFIG_FILE_PATH()
    {
        var fromArgument = Write("a.yaml", "model_list:\n  - {model_name: from-argument, litellm_params: {model: mock/a}}\n");
        var fromEnvironment = Write("b.yaml", "model_list:\n  - {model_name: from-environment, litellm_params: {model: mock/b}}\n");

        await using var both = await GatewayHost.StartAsync(_data, new Dictionary<string, string?> { ["config"] = fromArgument, ["CONFIG_FILE_PATH"] = fromEnvironment });
        var models = await both.Client.GetStringAsync("/v1/models", Cancellation);
        await using var environmentOnly = await GatewayHost.StartAsync(_data, new Dictionary<string, string?> { ["CONFIG_FILE_PATH"] = fromEnvironment });
        var environmentModels = await environmentOnly.Client.GetStringAsync("/v1/models", Cancellation);

        Assert.Contains("from-argument", models, StringComparison.Ordinal);
        Assert.DoesNotContain("from-environment", models, StringComparison.Ordinal);
        Assert.Contains("from-environment", environmentModels, StringComparison.Ordinal);
        Assert.Contains(both.Logs.Lines, line => line.Contains($"Gateway config {fromArgument}: 1 models from 1 deployments (from-argument)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_invalid_config_stops_start_up_naming_the_file_and_the_field()
    {
        var path = Write("bad.yaml", "model_list:\n  - model_name: x\n    litellm_params:\n      model: gpt-4o\n");

        var failure = await Assert.ThrowsAsync<GatewayConfigException>(() => GatewayHost.StartAsync(_data, new Dictionary<string, string?> { ["config"] = path }));

        Assert.Contains(path, failure.Message, StringComparison.Ordinal);
        Assert.Contains("model_list[0].litellm_params.model: 'gpt-4o' has no provider prefix", failure.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{model: hosted_vllm/qwen}", "model_list[0].litellm_params.api_base: is required for provider 'hosted_vllm' (or set HOSTED_VLLM_API_BASE)")]
    [InlineData("{model: mock/x, mock_error_status: 700}", "model_list[0].litellm_params.mock_error_status: '700' is not an HTTP error status (400-599)")]
    public async Task Provider_requirements_stop_start_up(string parameters, string error)
    {
        var path = Write("bad.yaml", $"model_list:\n  - model_name: x\n    litellm_params: {parameters}\n");

        var failure = await Assert.ThrowsAsync<GatewayConfigException>(() => GatewayHost.StartAsync(_data, new Dictionary<string, string?> { ["config"] = path }));

        Assert.Equal([error], failure.Errors);
    }

    [Fact]
    public async Task A_missing_config_file_stops_start_up()
    {
        var failure = await Assert.ThrowsAsync<GatewayConfigException>(() => GatewayHost.StartAsync(_data, new Dictionary<string, string?> { ["config"] = _data.Combine("nope.yaml") }));

        Assert.Contains("cannot be read", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_config_the_gateway_starts_with_no_models_and_says_so()
    {
        await using var host = await GatewayHost.StartAsync(_data);

        var models = await host.Client.GetStringAsync("/v1/models", Cancellation);

        Assert.Equal("""{"data":[],"object":"list"}""", models);
        Assert.Contains(host.Logs.Lines, line => line.Contains("No gateway config given", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_deployment_whose_secret_is_unset_starts_but_answers_503_with_the_reason()
    {
        var path = Write("c.yaml", "model_list:\n  - {model_name: m, litellm_params: {model: openai/m, api_key: os.environ/MISSING_KEY}}\n");

        await using var host = await GatewayHost.StartAsync(_data, new Dictionary<string, string?> { ["config"] = path });
        using var response = await host.Client.SendAsync(GatewayClients.Post("/v1/chat/completions", """{"model":"m"}""", key: null), Cancellation);

        var error = await Apis.OpenAiApiTests.AssertOpenAiErrorAsync(response, HttpStatusCode.ServiceUnavailable, "server_error", "deployment_unusable");
        Assert.Contains("environment variable MISSING_KEY is not set", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Contains(host.Logs.Lines, line => line.Contains("Deployment m (model_list[0]) cannot be called: environment variable MISSING_KEY is not set", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_OpenAI_deployment_without_any_key_is_reported_unusable()
    {
        var path = Write("d.yaml", "model_list:\n  - {model_name: m, litellm_params: {model: openai/gpt-4o}}\n");

        await using var host = await GatewayHost.StartAsync(_data, new Dictionary<string, string?> { ["config"] = path });
        using var response = await host.Client.SendAsync(GatewayClients.Post("/v1/chat/completions", """{"model":"m"}""", key: null), Cancellation);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Contains("set litellm_params.api_key or OPENAI_API_KEY", await response.Content.ReadAsStringAsync(Cancellation), StringComparison.Ordinal);
    }

    public void Dispose() => _data.Dispose();
}
