using Storage.Governance;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Gateway.Configuration;

/// <summary>
/// Reads a LiteLLM proxy <c>config.yaml</c>. Keys the gateway does not use are tolerated (LiteLLM configs carry
/// many); values it uses are validated, and every problem is reported at once with its YAML path.
/// </summary>
public static class LiteLlmConfigReader
{
    private const string ProviderSeparator = "/";

    public static GatewayConfig Read(string yaml, string? sourcePath, Func<string, string?> environment)
    {
        YamlMappingNode? root;
        try
        {
            var stream = new YamlStream();
            stream.Load(new MergingParser(new Parser(new StringReader(yaml))));
            root = stream.Documents.Count == 0 ? null : stream.Documents[0].RootNode as YamlMappingNode;
            if (root is null && stream.Documents.Count > 0 && !YamlValues.IsNull(stream.Documents[0].RootNode))
            {
                throw new GatewayConfigException(sourcePath, ["(root): must be a mapping with model_list, router_settings, …"]);
            }
        }
        catch (YamlException exception)
        {
            throw new GatewayConfigException(sourcePath, [$"line {exception.Start.Line}, column {exception.Start.Column}: {exception.Message}"]);
        }

        if (root is null)
        {
            return GatewayConfig.Empty with { SourcePath = sourcePath };
        }

        var sections = YamlValues.Entries(root).ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal);

        // environment_variables are set before anything else is read, so os.environ/ references can use them.
        var configEnvironment = new Dictionary<string, string>(StringComparer.Ordinal);
        var bootstrap = new YamlValues(environment);
        if (sections.TryGetValue("environment_variables", out var variables) && bootstrap.Mapping(variables, "environment_variables") is { } variableMap)
        {
            foreach (var (name, value) in YamlValues.Entries(variableMap))
            {
                if (bootstrap.String(value, $"environment_variables.{name}") is { } text)
                {
                    configEnvironment[name] = text;
                }
            }
        }

        var values = new YamlValues(name => configEnvironment.TryGetValue(name, out var value) ? value : environment(name));
        var modelList = sections.TryGetValue("model_list", out var models) ? ReadModelList(models, values) : [];
        var router = sections.TryGetValue("router_settings", out var routerNode) ? ReadRouterSettings(routerNode, values) : new RouterSettings();
        var litellm = sections.TryGetValue("litellm_settings", out var litellmNode) ? ReadLiteLlmSettings(litellmNode, values) : new LiteLlmSettings();
        var general = sections.TryGetValue("general_settings", out var generalNode) ? ReadGeneralSettings(generalNode, values) : new GeneralSettings();
        CheckFallbackTargets(router, modelList, values);

        var errors = bootstrap.Errors.Concat(values.Errors).ToList();
        if (errors.Count > 0)
        {
            throw new GatewayConfigException(sourcePath, errors);
        }

        return new GatewayConfig(sourcePath, modelList, router, litellm, general, [.. bootstrap.Warnings, .. values.Warnings]);
    }

    private static List<DeploymentConfig> ReadModelList(YamlNode node, YamlValues values)
    {
        var deployments = new List<DeploymentConfig>();
        if (YamlValues.IsNull(node))
        {
            return deployments;
        }

        if (node is not YamlSequenceNode sequence)
        {
            values.Error("model_list", "must be a list of deployments");
            return deployments;
        }

        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var index = 0; index < sequence.Children.Count; index++)
        {
            var path = $"model_list[{index}]";
            if (values.Mapping(sequence.Children[index], path) is not { } entry)
            {
                values.Error(path, "must be a mapping with model_name and litellm_params");
                continue;
            }

            var fields = YamlValues.Entries(entry).ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal);
            var modelName = fields.TryGetValue("model_name", out var nameNode) ? values.String(nameNode, $"{path}.model_name") : null;
            if (string.IsNullOrWhiteSpace(modelName))
            {
                values.Error($"{path}.model_name", "is required: the name callers send as 'model'");
            }

            LiteLlmParams? parameters = null;
            if (!fields.TryGetValue("litellm_params", out var paramsNode) || values.Mapping(paramsNode, $"{path}.litellm_params") is not { } paramsMap)
            {
                values.Error($"{path}.litellm_params", "is required, with at least 'model: provider/name'");
            }
            else
            {
                parameters = ReadParams(paramsMap, fields, $"{path}.litellm_params", path, values);
            }

            var info = fields.TryGetValue("model_info", out var infoNode) && values.Mapping(infoNode, $"{path}.model_info") is { } infoMap
                ? ReadModelInfo(infoMap, $"{path}.model_info", values)
                : ModelInfo.None;
            if (info.Id is { } id)
            {
                if (ids.TryGetValue(id, out var first))
                {
                    values.Error($"{path}.model_info.id", $"'{id}' is already the id of model_list[{first}]");
                }
                else
                {
                    ids[id] = index;
                }
            }

            if (parameters is not null && !string.IsNullOrWhiteSpace(modelName))
            {
                deployments.Add(new DeploymentConfig(index, modelName, parameters, info));
            }
        }

        return deployments;
    }

    private static LiteLlmParams? ReadParams(YamlMappingNode map, Dictionary<string, YamlNode> deploymentFields, string path, string deploymentPath, YamlValues values)
    {
        var unresolved = new List<string>();
        values.UnresolvedSink = unresolved;
        try
        {
            string? model = null, apiVersion = null, awsRegion = null;
            Uri? apiBase = null;
            SecretValue? apiKey = null;
            int? rpm = null, tpm = null, maxRetries = null;
            TimeSpan? timeout = null, streamTimeout = null;
            double? weight = null;
            bool? dropParams = null;
            IReadOnlyList<string> additionalDrop = [];
            var extra = new Dictionary<string, string>(StringComparer.Ordinal);
            var modelSeen = false;

            foreach (var (key, value) in YamlValues.Entries(map))
            {
                var at = $"{path}.{key}";
                switch (key)
                {
                    case "model":
                        modelSeen = true;
                        model = values.String(value, at);
                        break;
                    case "api_base" or "base_url":
                        apiBase = ReadUrl(value, at, values);
                        break;
                    case "api_key":
                        apiKey = values.String(value, at) is { Length: > 0 } keyText ? new SecretValue(keyText) : null;
                        break;
                    case "api_version":
                        apiVersion = values.String(value, at);
                        break;
                    case "aws_region_name":
                        awsRegion = values.String(value, at);
                        break;
                    case "rpm":
                        rpm = values.Int(value, at, 0);
                        break;
                    case "tpm":
                        tpm = values.Int(value, at, 0);
                        break;
                    case "timeout":
                        timeout = values.Seconds(value, at, allowZero: false);
                        break;
                    case "stream_timeout":
                        streamTimeout = values.Seconds(value, at, allowZero: false);
                        break;
                    case "max_retries":
                        maxRetries = values.Int(value, at, 0);
                        break;
                    case "weight":
                        weight = values.Number(value, at, 0);
                        break;
                    case "drop_params":
                        dropParams = values.Bool(value, at);
                        break;
                    case "additional_drop_params":
                        additionalDrop = values.StringList(value, at);
                        break;
                    default:
                        if (value is YamlScalarNode && values.String(value, at) is { } text)
                        {
                            extra[key] = text;
                        }

                        break;
                }
            }

            // LiteLLM also accepts rpm and tpm beside litellm_params.
            rpm ??= deploymentFields.TryGetValue("rpm", out var rpmNode) ? values.Int(rpmNode, $"{deploymentPath}.rpm", 0) : null;
            tpm ??= deploymentFields.TryGetValue("tpm", out var tpmNode) ? values.Int(tpmNode, $"{deploymentPath}.tpm", 0) : null;

            if (!modelSeen)
            {
                values.Error($"{path}.model", "is required: 'provider/name', e.g. openai/gpt-4o");
                return null;
            }

            if (model is null)
            {
                return unresolved.Count > 0 ? null : Missing(values, $"{path}.model");
            }

            if (model == ModelPattern.Wildcard)
            {
                // LiteLLM's catch-all: the provider and model come from the caller's 'provider/name'.
                return new LiteLlmParams(
                    model, ModelPattern.Wildcard, ModelPattern.Wildcard, apiBase, apiKey, apiVersion, awsRegion, rpm, tpm, timeout,
                    streamTimeout, maxRetries, weight, dropParams, unresolved, extra) { AdditionalDropParams = additionalDrop };
            }

            var separator = model.IndexOf(ProviderSeparator, StringComparison.Ordinal);
            if (separator <= 0)
            {
                values.Error($"{path}.model", $"'{model}' has no provider prefix (write it as provider/name, e.g. openai/{model})");
                return null;
            }

            if (separator == model.Length - 1)
            {
                values.Error($"{path}.model", $"'{model}' names no model after the provider prefix");
                return null;
            }

            return new LiteLlmParams(
                model, model[..separator], model[(separator + 1)..], apiBase, apiKey, apiVersion, awsRegion, rpm, tpm, timeout,
                streamTimeout, maxRetries, weight, dropParams, unresolved, extra) { AdditionalDropParams = additionalDrop };
        }
        finally
        {
            values.UnresolvedSink = null;
        }
    }

    private static LiteLlmParams? Missing(YamlValues values, string path)
    {
        values.Error(path, "is required: 'provider/name', e.g. openai/gpt-4o");
        return null;
    }

    private static Uri? ReadUrl(YamlNode node, string path, YamlValues values)
    {
        var text = values.String(node, path);
        if (text is null)
        {
            return null;
        }

        if (!Uri.TryCreate(text, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
        {
            values.Error(path, $"'{text}' is not an absolute http(s) URL");
            return null;
        }

        return url;
    }

    private static ModelInfo ReadModelInfo(YamlMappingNode map, string path, YamlValues values)
    {
        var info = ModelInfo.None;
        var extra = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in YamlValues.Entries(map))
        {
            var at = $"{path}.{key}";
            info = key switch
            {
                "id" => info with { Id = values.String(value, at) },
                "mode" => info with { Mode = values.String(value, at) },
                "max_tokens" => info with { MaxTokens = values.Int(value, at, 1) },
                "max_input_tokens" => info with { MaxInputTokens = values.Int(value, at, 1) },
                "max_output_tokens" => info with { MaxOutputTokens = values.Int(value, at, 1) },
                "input_cost_per_token" => info with { InputCostPerToken = values.Decimal(value, at) },
                "output_cost_per_token" => info with { OutputCostPerToken = values.Decimal(value, at) },
                _ => info,
            };
            if (key is not ("id" or "mode" or "max_tokens" or "max_input_tokens" or "max_output_tokens" or "input_cost_per_token" or "output_cost_per_token")
                && value is YamlScalarNode && values.String(value, at) is { } text)
            {
                extra[key] = text;
            }
        }

        return info with { Extra = extra };
    }

    private static RouterSettings ReadRouterSettings(YamlNode node, YamlValues values)
    {
        var settings = new RouterSettings();
        if (values.Mapping(node, "router_settings") is not { } map)
        {
            return settings;
        }

        foreach (var (key, value) in YamlValues.Entries(map))
        {
            var at = $"router_settings.{key}";
            settings = key switch
            {
                "routing_strategy" => ReadStrategy(value, at, values) is { } strategy ? settings with { RoutingStrategy = strategy } : settings,
                "num_retries" => values.Int(value, at, 0) is { } retries ? settings with { NumRetries = retries } : settings,
                "retry_after" => values.Seconds(value, at, allowZero: true) is { } wait ? settings with { RetryAfter = wait } : settings,
                "allowed_fails" => values.Int(value, at, 0) is { } fails ? settings with { AllowedFails = fails } : settings,
                "cooldown_time" => values.Seconds(value, at, allowZero: true) is { } cooldown ? settings with { CooldownTime = cooldown } : settings,
                "disable_cooldowns" => values.Bool(value, at) == true ? settings with { CooldownTime = TimeSpan.Zero } : settings,
                "fallbacks" => settings with { Fallbacks = ReadFallbacks(value, at, values) },
                "context_window_fallbacks" => settings with { ContextWindowFallbacks = ReadFallbacks(value, at, values) },
                "default_fallbacks" => settings with { DefaultFallbacks = values.StringList(value, at) },
                "timeout" => values.Seconds(value, at, allowZero: false) is { } timeout ? settings with { Timeout = timeout } : settings,
                "stream_timeout" => values.Seconds(value, at, allowZero: false) is { } streamTimeout ? settings with { StreamTimeout = streamTimeout } : settings,
                "routing_strategy_args" => ReadStrategyArgs(value, at, values, settings),
                _ => settings,
            };
        }

        return settings;
    }

    /// <summary><c>routing_strategy_args</c>: <c>lowest_latency_buffer</c> (latency-based routing) is read, the rest tolerated.</summary>
    private static RouterSettings ReadStrategyArgs(YamlNode node, string path, YamlValues values, RouterSettings settings)
    {
        if (values.Mapping(node, path) is not { } map)
        {
            return settings;
        }

        foreach (var (key, value) in YamlValues.Entries(map))
        {
            if (key == "lowest_latency_buffer" && values.Number(value, $"{path}.{key}", 0) is { } buffer)
            {
                settings = settings with { LowestLatencyBuffer = buffer };
            }
        }

        return settings;
    }

    private static RoutingStrategy? ReadStrategy(YamlNode node, string path, YamlValues values)
    {
        var text = values.String(node, path);
        switch (text)
        {
            case null:
                return null;
            case "simple-shuffle":
                return RoutingStrategy.SimpleShuffle;
            case "least-busy":
                return RoutingStrategy.LeastBusy;
            case "latency-based-routing":
                return RoutingStrategy.LatencyBased;
            case "usage-based-routing" or "usage-based-routing-v2":
                return RoutingStrategy.UsageBased;
            case "cost-based-routing":
                values.Warning(path, $"'{text}' is not implemented; simple-shuffle is used");
                return RoutingStrategy.SimpleShuffle;
            default:
                values.Error(path, $"'{text}' is not a routing strategy (simple-shuffle, least-busy, latency-based-routing, usage-based-routing, usage-based-routing-v2, cost-based-routing)");
                return null;
        }
    }

    /// <summary>LiteLLM's shape: a list of one-key mappings, <c>[{"gpt-4o": ["gpt-4o-mini", "claude"]}]</c>.</summary>
    private static Dictionary<string, IReadOnlyList<string>> ReadFallbacks(YamlNode node, string path, YamlValues values)
    {
        var fallbacks = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        if (YamlValues.IsNull(node))
        {
            return fallbacks;
        }

        var items = node switch
        {
            YamlSequenceNode sequence => sequence.Children.Select((child, i) => (Node: child, Path: $"{path}[{i}]")).ToList(),
            YamlMappingNode => [(node, path)],
            _ => null,
        };
        if (items is null)
        {
            values.Error(path, "must be a list of mappings from a model_name to its fallbacks, e.g. [{\"gpt-4o\": [\"gpt-4o-mini\"]}]");
            return fallbacks;
        }

        foreach (var (item, itemPath) in items)
        {
            if (values.Mapping(item, itemPath) is not { } map)
            {
                continue;
            }

            foreach (var (group, targets) in YamlValues.Entries(map))
            {
                var list = values.StringList(targets, $"{itemPath}.{group}");
                fallbacks[group] = fallbacks.TryGetValue(group, out var existing) ? [.. existing, .. list] : list;
            }
        }

        return fallbacks;
    }

    private static void CheckFallbackTargets(RouterSettings router, List<DeploymentConfig> modelList, YamlValues values)
    {
        var names = modelList.Select(d => d.ModelName).ToHashSet(StringComparer.Ordinal);
        var patterns = modelList.Where(d => ModelPattern.IsPattern(d.ModelName)).Select(d => new ModelPattern(d.ModelName)).ToList();
        bool Known(string name) => names.Contains(name) || patterns.Any(p => p.Match(name) is not null);
        void Check(string setting, IReadOnlyDictionary<string, IReadOnlyList<string>> fallbacks)
        {
            foreach (var (group, targets) in fallbacks)
            {
                if (!Known(group))
                {
                    values.Error($"router_settings.{setting}", $"'{group}' is not a model_name in model_list");
                }

                foreach (var target in targets.Where(t => !Known(t)))
                {
                    values.Error($"router_settings.{setting}.{group}", $"'{target}' is not a model_name in model_list");
                }
            }
        }

        Check("fallbacks", router.Fallbacks);
        Check("context_window_fallbacks", router.ContextWindowFallbacks);
        foreach (var target in router.DefaultFallbacks.Where(t => !Known(t)))
        {
            values.Error("router_settings.default_fallbacks", $"'{target}' is not a model_name in model_list");
        }
    }

    private static LiteLlmSettings ReadLiteLlmSettings(YamlNode node, YamlValues values)
    {
        var settings = new LiteLlmSettings();
        if (values.Mapping(node, "litellm_settings") is not { } map)
        {
            return settings;
        }

        foreach (var (key, value) in YamlValues.Entries(map))
        {
            var at = $"litellm_settings.{key}";
            switch (key)
            {
                case "drop_params":
                    settings = settings with { DropParams = values.Bool(value, at) ?? false };
                    break;
                case "success_callback":
                    settings = settings with { SuccessCallback = values.StringList(value, at) };
                    break;
                case "failure_callback":
                    settings = settings with { FailureCallback = values.StringList(value, at) };
                    break;
                case "max_budget":
                    settings = settings with { MaxBudget = values.Decimal(value, at) };
                    break;
                case "max_end_user_budget":
                    settings = settings with { MaxEndUserBudget = values.Decimal(value, at) };
                    break;
                case "budget_duration":
                    if (values.String(value, at) is { } text)
                    {
                        if (BudgetDuration.TryParse(text, out var duration))
                        {
                            settings = settings with { BudgetDuration = duration };
                        }
                        else
                        {
                            values.Error(at, $"'{text}' is not a duration like 30s, 30m, 30h, 30d, 2w or 1mo");
                        }
                    }

                    break;
            }
        }

        return settings;
    }

    private static GeneralSettings ReadGeneralSettings(YamlNode node, YamlValues values)
    {
        var settings = new GeneralSettings();
        if (values.Mapping(node, "general_settings") is not { } map)
        {
            return settings;
        }

        foreach (var (key, value) in YamlValues.Entries(map))
        {
            if (key == "master_key" && values.String(value, "general_settings.master_key") is { } masterKey)
            {
                // The value is a credential: the message says what is wrong without repeating it.
                if (!MasterKeyOptions.IsAcceptable(masterKey))
                {
                    values.Error("general_settings.master_key", MasterKeyOptions.Requirement);
                }
                else
                {
                    settings = settings with { MasterKey = new SecretValue(masterKey) };
                }
            }
        }

        return settings;
    }
}
