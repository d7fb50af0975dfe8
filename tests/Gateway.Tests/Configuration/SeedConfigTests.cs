using System.Net;
using Gateway.Configuration;

namespace Gateway.Tests.Configuration;

/// <summary>The LiteLLM configs of the seed deployments (see Fixtures/Seeds/README.md) load as they are and route.</summary>
public sealed class SeedConfigTests : IAsyncLifetime
{
    private const string SeedKey = "sk-seed-master-key";
    private readonly TemporaryDirectory _data = new();
    private const string AnthropicKey = "sk-ant-api03-seed-key";
    private const string AnthropicOAuthToken = "sk-ant-oat01-seed-oauth-token";
    private FakeOpenAiUpstream _upstream = null!;
    private FakeAnthropicUpstream _anthropic = null!;

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    public static TheoryData<string> Seeds() => new(Directory.GetFiles(SeedDirectory, "*.yaml").Select(Path.GetFileName).Order()!);

    private static string SeedDirectory => Path.Combine(AppContext.BaseDirectory, "Fixtures", "Seeds");

    /// <summary>
    /// Models whose provider is not in this gateway version, by seed: the later slices (Gemini). Every other model of
    /// the seeds, Azure OpenAI's, Bedrock's and Anthropic's included, must reach a fake of its provider.
    /// </summary>
    private static readonly Dictionary<string, string[]> LaterSlices = new()
    {
        ["002-reconstructed-local-first-fallbacks.yaml"] = ["gemini"],
    };

    private FakeBedrockUpstream _bedrock = null!;

    public async ValueTask InitializeAsync()
    {
        _upstream = await FakeOpenAiUpstream.StartAsync();
        _bedrock = await FakeBedrockUpstream.StartAsync("us-east-1");
        _anthropic = await FakeAnthropicUpstream.StartAsync(AnthropicKey, AnthropicOAuthToken);
    }

    /// <summary>Every secret and address the seeds read from the environment, pointing at the fake upstream.</summary>
    private Dictionary<string, string?> Environment() => new()
    {
        ["LITELLM_MASTER_KEY"] = SeedKey,
        ["OPENAI_API_KEY"] = "sk-fake-openai",
        ["OPENAI_API_BASE"] = _upstream.ApiBase,
        ["VLLM_API_BASE"] = _upstream.ApiBase,
        ["OLLAMA_API_BASE"] = _upstream.BaseAddress.ToString(),
        ["GROQ_API_KEY"] = "gsk-fake",
        ["GROQ_API_BASE"] = _upstream.ApiBase,
        ["MISTRAL_API_KEY"] = "fake-mistral",
        ["MISTRAL_API_BASE"] = _upstream.ApiBase,
        ["AZURE_OPENAI_API_BASE"] = _upstream.BaseAddress.ToString(),
        ["AZURE_OPENAI_API_KEY"] = "fake-azure-openai",
        ["AZURE_API_BASE"] = _upstream.BaseAddress.ToString(),
        ["AZURE_API_KEY"] = "fake-azure",
        ["AZURE_API_VERSION"] = "2024-10-21",
        // Seed 003 passes AWS credentials in the environment, as its compose file does; the endpoint override
        // (LiteLLM's AWS_BEDROCK_RUNTIME_ENDPOINT) points Bedrock Runtime at the fake.
        ["AWS_ACCESS_KEY_ID"] = FakeBedrockUpstream.AccessKeyId,
        ["AWS_SECRET_ACCESS_KEY"] = FakeBedrockUpstream.SecretKey,
        ["AWS_REGION_NAME"] = "us-east-1",
        ["AWS_BEDROCK_RUNTIME_ENDPOINT"] = _bedrock.BaseAddress.ToString(),
        ["ANTHROPIC_API_KEY"] = AnthropicKey,
        ["ANTHROPIC_OAUTH_TOKEN"] = AnthropicOAuthToken,
        ["ANTHROPIC_API_BASE"] = _anthropic.ApiBase,
    };

    [Theory]
    [MemberData(nameof(Seeds))]
    public async Task Seed_config_loads_unchanged_even_without_its_secrets(string seed)
    {
        var yaml = await File.ReadAllTextAsync(Path.Combine(SeedDirectory, seed), Cancellation);

        var config = LiteLlmConfigReader.Read(yaml, seed, _ => null);

        Assert.NotEmpty(config.ModelList);
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public async Task Every_model_of_the_seed_reaches_a_fake_of_its_provider_or_is_reported_as_a_later_slice(string seed)
    {
        var yaml = await File.ReadAllTextAsync(Path.Combine(SeedDirectory, seed), Cancellation);
        var models = LiteLlmConfigReader.Read(yaml, seed, _ => null).ModelList;
        var settings = Environment();
        settings["config"] = Path.Combine(SeedDirectory, seed);
        var key = seed.StartsWith("004", StringComparison.Ordinal) ? "sk-1234" : SeedKey;
        await using var gateway = await GatewayHost.StartAsync(_data, settings);

        var later = new List<string>();
        foreach (var model in models)
        {
            var before = _upstream.Requests.Count;
            using var response = await gateway.Client.SendAsync(
                GatewayClients.Post("/v1/chat/completions", $$"""{"model":"{{model.ModelName}}","messages":[{"role":"user","content":"hello"}]}""", key), Cancellation);
            if (response.StatusCode == HttpStatusCode.NotImplemented)
            {
                later.Add(model.ModelName);
                Assert.Contains($"provider '{model.Params.Provider}' is not supported", await response.Content.ReadAsStringAsync(Cancellation), StringComparison.Ordinal);
                continue;
            }

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(model.Params.Provider, response.Header(GatewayCallHeaders.Provider));
            if (model.Params.Provider == "bedrock")
            {
                var converse = _bedrock.Requests[^1];
                Assert.Equal(model.Params.ProviderModel, converse.ModelId);
                Assert.Equal("converse", converse.Action);
                Assert.Equal(0, _bedrock.RejectedSignatures);
                continue;
            }

            if (model.Params.Provider == "anthropic")
            {
                var toAnthropic = _anthropic.Requests[^1];
                Assert.Equal("/v1/messages", toAnthropic.Path);
                Assert.Equal(model.Params.ProviderModel, toAnthropic.Json!["model"]!.GetValue<string>());
                continue;
            }

            Assert.Equal(before + 1, _upstream.Requests.Count);
            var received = _upstream.Requests[^1];
            if (model.Params.Provider == "azure")
            {
                Assert.Equal($"/openai/deployments/{model.Params.ProviderModel}/chat/completions", received.Path);
                Assert.StartsWith("?api-version=20", received.Query, StringComparison.Ordinal);
                Assert.StartsWith("fake-azure", received.Header("api-key"), StringComparison.Ordinal);
                Assert.Null(received.Header("Authorization"));
            }
            else
            {
                Assert.Equal("/v1/chat/completions", received.Path);
            }

            Assert.Equal(model.Params.ProviderModel, received.Json!["model"]!.GetValue<string>());
        }

        Assert.Equal(LaterSlices.GetValueOrDefault(seed, []), later);
    }

    [Fact]
    public async Task Seed_002_falls_back_from_vLLM_to_Ollama_when_the_GPU_server_is_down()
    {
        var settings = Environment();
        settings["config"] = Path.Combine(SeedDirectory, "002-reconstructed-local-first-fallbacks.yaml");
        settings["VLLM_API_BASE"] = "http://127.0.0.1:" + FreeTcpPort.Next() + "/v1";
        await using var gateway = await GatewayHost.StartAsync(_data, settings);

        using var response = await gateway.Client.SendAsync(
            GatewayClients.Post("/v1/chat/completions", """{"model":"vllm-qwen","messages":[{"role":"user","content":"hello"}]}""", SeedKey), Cancellation);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("ollama-qwen", response.Header(GatewayCallHeaders.Deployment));
        Assert.Equal("qwen2.5:3b", Assert.Single(_upstream.Requests).Json!["model"]!.GetValue<string>());
    }

    [Fact]
    public async Task Seed_002_OpenClaw_reaches_Claude_over_OAuth_through_the_Anthropic_API()
    {
        var settings = Environment();
        settings["config"] = Path.Combine(SeedDirectory, "002-reconstructed-openclaw-anthropic-primary.yaml");
        await using var gateway = await GatewayHost.StartAsync(_data, settings);

        using var response = await gateway.Client.SendAsync(AnthropicMessage("claude-opus-4-5"), Cancellation);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("claude-opus-4-5", response.Header(GatewayCallHeaders.Deployment));
        var request = Assert.Single(_anthropic.Requests);
        Assert.Equal("Bearer " + AnthropicOAuthToken, request.Header("authorization"));
        Assert.Contains(FakeAnthropicUpstream.OAuthBeta, request.Header("anthropic-beta"), StringComparison.Ordinal);
        Assert.DoesNotContain(AnthropicOAuthToken, gateway.Logs.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Seed_002_falls_back_from_Anthropic_to_vLLM_within_five_seconds_and_comes_back_when_Anthropic_recovers()
    {
        var settings = Environment();
        settings["config"] = Path.Combine(SeedDirectory, "002-reconstructed-openclaw-anthropic-primary.yaml");
        await using var gateway = await GatewayHost.StartAsync(_data, settings);
        // A running gateway: both paths have served once before the drill is timed.
        using (var warmUp = await gateway.Client.SendAsync(AnthropicMessage("claude-opus-4-5"), Cancellation))
        using (var warmUpFallback = await gateway.Client.SendAsync(AnthropicMessage("vllm-qwen"), Cancellation))
        {
            Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (warmUp.StatusCode, warmUpFallback.StatusCode));
        }

        // The seed's drill: the OAuth token invalidated, then restored.
        _anthropic.Enqueue(FakeAnthropicReply.Error(401, "authentication_error", "OAuth token has been revoked"));

        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        using var fallback = await gateway.Client.SendAsync(AnthropicMessage("claude-opus-4-5"), Cancellation);
        var elapsed = System.Diagnostics.Stopwatch.GetElapsedTime(started);
        var fallbackBody = await fallback.Content.ReadAsStringAsync(Cancellation);
        using var recovered = await gateway.Client.SendAsync(AnthropicMessage("claude-opus-4-5"), Cancellation);

        Assert.Equal(HttpStatusCode.OK, fallback.StatusCode);
        Assert.True(elapsed < TimeSpan.FromSeconds(5), $"Fallback took {elapsed}.");
        Assert.Equal("vllm-qwen", fallback.Header(GatewayCallHeaders.Deployment));
        Assert.Equal("hosted_vllm", fallback.Header(GatewayCallHeaders.Provider));
        Assert.Contains("\"type\":\"message\"", fallbackBody, StringComparison.Ordinal);
        Assert.Equal(2, _upstream.Requests.Count);
        Assert.Equal("Qwen/Qwen2.5-7B-Instruct-AWQ", _upstream.Requests[^1].Json!["model"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, recovered.StatusCode);
        Assert.Equal("claude-opus-4-5", recovered.Header(GatewayCallHeaders.Deployment));
    }

    private static HttpRequestMessage AnthropicMessage(string model)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/messages")
        {
            Content = new StringContent($$"""{"model":"{{model}}","max_tokens":100,"messages":[{"role":"user","content":"hello"}]}""", System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("x-api-key", SeedKey);
        request.Headers.Add("anthropic-version", "2023-06-01");
        return request;
    }

    public async ValueTask DisposeAsync()
    {
        await _anthropic.DisposeAsync();
        await _upstream.DisposeAsync();
        await _bedrock.DisposeAsync();
        _data.Dispose();
    }
}
