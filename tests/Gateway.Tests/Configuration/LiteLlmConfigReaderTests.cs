using Gateway.Configuration;
using Storage.Governance;

namespace Gateway.Tests.Configuration;

public sealed class LiteLlmConfigReaderTests
{
    private static readonly Dictionary<string, string> Environment = new()
    {
        ["OPENAI_API_KEY"] = "sk-from-environment",
        ["VLLM_BASE"] = "http://vllm.local:8000/v1",
    };

    private static GatewayConfig Read(string yaml, IDictionary<string, string>? environment = null) =>
        LiteLlmConfigReader.Read(yaml, "config.yaml", name => (environment ?? Environment).TryGetValue(name, out var value) ? value : null);

    private static GatewayConfigException Invalid(string yaml) => Assert.Throws<GatewayConfigException>(() => Read(yaml));

    [Fact]
    public void Reads_every_field_the_gateway_uses()
    {
        var config = Read("""
            model_list:
              - model_name: gpt-4o
                litellm_params:
                  model: openai/gpt-4o-2024-08-06
                  api_base: https://api.openai.com/v1
                  api_key: os.environ/OPENAI_API_KEY
                  api_version: "2025-01-01-preview"
                  rpm: 600
                  tpm: 90000
                  timeout: 30
                  stream_timeout: 2.5
                  max_retries: 1
                  weight: 3
                  drop_params: true
                  mock_response: hi
                model_info:
                  id: gpt-4o-eastus
                  mode: chat
                  max_tokens: 16384
                  input_cost_per_token: 0.0000025
                  base_model: gpt-4o
            router_settings:
              routing_strategy: least-busy
              num_retries: 4
              retry_after: 1
              allowed_fails: 2
              cooldown_time: 30
              timeout: 45
              fallbacks: [{"gpt-4o": ["gpt-4o"]}]
            litellm_settings:
              drop_params: True
              success_callback: ["langfuse"]
              max_budget: 50
              budget_duration: 30d
            general_settings:
              master_key: sk-1234abcd
            """);

        var deployment = Assert.Single(config.ModelList);
        var p = deployment.Params;
        Assert.Equal(("gpt-4o", "openai", "gpt-4o-2024-08-06"), (deployment.ModelName, p.Provider, p.ProviderModel));
        Assert.Equal("sk-from-environment", p.ApiKey!.Reveal());
        Assert.Equal(new Uri("https://api.openai.com/v1"), p.ApiBase);
        Assert.Equal("2025-01-01-preview", p.ApiVersion);
        Assert.Equal((600, 90000, 1), (p.Rpm, p.Tpm, p.MaxRetries));
        Assert.Equal(TimeSpan.FromSeconds(30), p.Timeout);
        Assert.Equal(TimeSpan.FromSeconds(2.5), p.StreamTimeout);
        Assert.Equal(3, p.Weight);
        Assert.True(p.DropParams);
        Assert.Equal("hi", p.Extra["mock_response"]);
        Assert.Equal("gpt-4o-eastus", deployment.Info.Id);
        Assert.Equal(16384, deployment.Info.MaxTokens);
        Assert.Equal(0.0000025m, deployment.Info.InputCostPerToken);
        Assert.Equal("gpt-4o", deployment.Info.Extra["base_model"]);

        var router = config.RouterSettings;
        Assert.Equal(RoutingStrategy.LeastBusy, router.RoutingStrategy);
        Assert.Equal((4, 2), (router.NumRetries, router.AllowedFails));
        Assert.Equal(TimeSpan.FromSeconds(1), router.RetryAfter);
        Assert.Equal(TimeSpan.FromSeconds(30), router.CooldownTime);
        Assert.Equal(TimeSpan.FromSeconds(45), router.Timeout);
        Assert.Equal(["gpt-4o"], router.Fallbacks["gpt-4o"]);

        Assert.True(config.LiteLlmSettings.DropParams);
        Assert.Equal(["langfuse"], config.LiteLlmSettings.SuccessCallback);
        Assert.Equal(50m, config.LiteLlmSettings.MaxBudget);
        Assert.Equal(new BudgetDuration(30, BudgetDurationUnit.Days), config.LiteLlmSettings.BudgetDuration);
        Assert.Equal("sk-1234abcd", config.GeneralSettings.MasterKey!.Reveal());
    }

    [Fact]
    public void Defaults_are_LiteLLMs()
    {
        var router = Read("model_list: []").RouterSettings;

        Assert.Equal(RoutingStrategy.SimpleShuffle, router.RoutingStrategy);
        Assert.Equal(2, router.NumRetries);
        Assert.Equal(3, router.AllowedFails);
        Assert.Equal(TimeSpan.FromSeconds(5), router.CooldownTime);
        Assert.Equal(TimeSpan.FromSeconds(600), router.Timeout);
    }

    [Fact]
    public void Unknown_keys_anywhere_are_tolerated()
    {
        var config = Read("""
            model_list:
              - model_name: m
                litellm_params:
                  model: openai/m
                  extra_headers: {"x-team": "a"}
                  vertex_credentials: [1, 2]
                model_info:
                  supports_vision: true
                some_future_key: 1
            router_settings:
              redis_host: redis
              enable_pre_call_checks: true
            litellm_settings:
              cache: true
              cache_params: {type: redis}
            general_settings:
              database_url: postgres://x
              alerting: ["slack"]
            guardrails: []
            callback_settings: {otel: {message_logging: false}}
            """);

        Assert.Equal("m", Assert.Single(config.ModelList).ModelName);
    }

    [Fact]
    public void Environment_variables_section_feeds_os_environ_references()
    {
        var config = Read("""
            environment_variables:
              MY_BASE: http://from-config:1234/v1
            model_list:
              - model_name: m
                litellm_params: {model: hosted_vllm/m, api_base: os.environ/MY_BASE}
            """);

        Assert.Equal(new Uri("http://from-config:1234/v1"), config.ModelList[0].Params.ApiBase);
    }

    [Fact]
    public void An_unset_environment_variable_is_a_warning_and_marks_the_deployment_not_the_config()
    {
        var config = Read("""
            model_list:
              - model_name: azure-gpt
                litellm_params:
                  model: azure/gpt-4o-mini
                  api_key: os.environ/AZURE_OPENAI_API_KEY
                  api_base: os.environ/AZURE_OPENAI_API_BASE
            """, new Dictionary<string, string>());

        var deployment = Assert.Single(config.ModelList);
        Assert.Equal(["AZURE_OPENAI_API_KEY", "AZURE_OPENAI_API_BASE"], deployment.Params.UnresolvedEnvironment);
        Assert.Contains(config.Warnings, w => w == "model_list[0].litellm_params.api_key: environment variable AZURE_OPENAI_API_KEY is not set");
    }

    [Fact]
    public void Anchors_and_merge_keys_are_expanded()
    {
        var config = Read("""
            x-defaults: &defaults
              api_base: http://shared:8000/v1
              timeout: 12
            model_list:
              - model_name: a
                litellm_params:
                  <<: *defaults
                  model: hosted_vllm/a
              - model_name: b
                litellm_params:
                  <<: *defaults
                  model: hosted_vllm/b
            """);

        Assert.All(config.ModelList, d => Assert.Equal(TimeSpan.FromSeconds(12), d.Params.Timeout));
        Assert.All(config.ModelList, d => Assert.Equal(new Uri("http://shared:8000/v1"), d.Params.ApiBase));
    }

    [Fact]
    public void A_model_without_provider_prefix_is_named_by_its_path()
    {
        var failure = Invalid("""
            model_list:
              - model_name: a
                litellm_params: {model: openai/a}
              - model_name: b
                litellm_params: {model: openai/b}
              - model_name: c
                litellm_params: {model: gpt-4o}
            """);

        Assert.Equal(["model_list[2].litellm_params.model: 'gpt-4o' has no provider prefix (write it as provider/name, e.g. openai/gpt-4o)"], failure.Errors);
        Assert.Contains("config.yaml", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_bad_value_is_reported_at_once_with_its_path()
    {
        var failure = Invalid("""
            model_list:
              - model_name: a
                litellm_params:
                  model: openai/a
                  rpm: many
                  timeout: -1
                  weight: -2
                  api_base: not a url
                  drop_params: maybe
              - litellm_params: {model: openai/b}
              - model_name: c
            router_settings:
              routing_strategy: fastest
              num_retries: -1
              fallbacks: [{"a": ["missing"]}]
            litellm_settings:
              budget_duration: 30 days
            general_settings:
              master_key: not-a-litellm-key
            """);

        Assert.Equal(
            [
                "model_list[0].litellm_params.rpm: 'many' is not a whole number",
                "model_list[0].litellm_params.timeout: -1 is less than 0",
                "model_list[0].litellm_params.weight: -2 is less than 0",
                "model_list[0].litellm_params.api_base: 'not a url' is not an absolute http(s) URL",
                "model_list[0].litellm_params.drop_params: 'maybe' is not true or false",
                "model_list[1].model_name: is required: the name callers send as 'model'",
                "model_list[2].litellm_params: is required, with at least 'model: provider/name'",
                "router_settings.routing_strategy: 'fastest' is not a routing strategy (simple-shuffle, least-busy, latency-based-routing, usage-based-routing, usage-based-routing-v2, cost-based-routing)",
                "router_settings.num_retries: -1 is less than 0",
                "litellm_settings.budget_duration: '30 days' is not a duration like 30s, 30m, 30h, 30d, 2w or 1mo",
                "general_settings.master_key: must start with 'sk-', as with LiteLLM",
                "router_settings.fallbacks.a: 'missing' is not a model_name in model_list",
            ],
            failure.Errors);
        Assert.DoesNotContain("not-a-litellm-key", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Duplicate_deployment_ids_are_refused()
    {
        var failure = Invalid("""
            model_list:
              - {model_name: a, litellm_params: {model: openai/a}, model_info: {id: same}}
              - {model_name: b, litellm_params: {model: openai/b}, model_info: {id: same}}
            """);

        Assert.Equal(["model_list[1].model_info.id: 'same' is already the id of model_list[0]"], failure.Errors);
    }

    [Fact]
    public void YAML_syntax_errors_give_line_and_column()
    {
        var failure = Invalid("model_list:\n  - model_name: a\n    litellm_params: {model: openai/a\n");

        Assert.StartsWith("line ", Assert.Single(failure.Errors), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("simple-shuffle", RoutingStrategy.SimpleShuffle)]
    [InlineData("least-busy", RoutingStrategy.LeastBusy)]
    [InlineData("latency-based-routing", RoutingStrategy.LatencyBased)]
    [InlineData("usage-based-routing", RoutingStrategy.UsageBased)]
    [InlineData("usage-based-routing-v2", RoutingStrategy.UsageBased)]
    public void Every_LiteLLM_routing_strategy_but_cost_based_is_read(string name, RoutingStrategy strategy)
    {
        var config = Read($"router_settings:\n  routing_strategy: {name}\n  routing_strategy_args: {{lowest_latency_buffer: 0.5, ttl: 60}}\n");

        Assert.Equal(strategy, config.RouterSettings.RoutingStrategy);
        Assert.Equal(0.5, config.RouterSettings.LowestLatencyBuffer);
        Assert.Empty(config.Warnings);
    }

    [Fact]
    public void Cost_based_routing_loads_with_a_warning()
    {
        var config = Read("router_settings:\n  routing_strategy: cost-based-routing\n");

        Assert.Equal(RoutingStrategy.SimpleShuffle, config.RouterSettings.RoutingStrategy);
        Assert.Contains("router_settings.routing_strategy: 'cost-based-routing' is not implemented; simple-shuffle is used", config.Warnings);
    }

    [Fact]
    public void Wildcard_model_names_load_and_fallbacks_may_name_what_they_match()
    {
        var config = Read("""
            model_list:
              - {model_name: "openai/*", litellm_params: {model: "openai/*", api_key: sk-a-1234}}
              - {model_name: "*", litellm_params: {model: "*", additional_drop_params: [logit_bias]}}
              - {model_name: primary, litellm_params: {model: openai/gpt-4o, api_key: sk-a-1234}}
            router_settings:
              fallbacks: [{"primary": ["openai/gpt-4o-mini"]}]
            """);

        Assert.Equal(["openai", "*", "openai"], config.ModelList.Select(d => d.Params.Provider));
        Assert.True(config.ModelList[0].Params.IsPattern);
        Assert.Equal(["logit_bias"], config.ModelList[1].Params.AdditionalDropParams);
        Assert.Equal(["openai/gpt-4o-mini"], config.RouterSettings.Fallbacks["primary"]);
    }

    [Fact]
    public void Secrets_never_show_in_formatted_records()
    {
        var deployment = Read("model_list:\n  - {model_name: a, litellm_params: {model: openai/a, api_key: sk-very-secret-123}}\n").ModelList[0];

        Assert.DoesNotContain("sk-very-secret-123", deployment.ToString(), StringComparison.Ordinal);
    }
}
