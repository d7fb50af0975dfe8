namespace Gateway.Providers;

/// <summary>
/// The top-level request fields of OpenAI's API a deployment's provider or model does not accept, as LiteLLM maps
/// them: fields it refuses outright, fields it accepts only with the value 1 (<c>temperature</c> on reasoning
/// models), and fields it knows under another name (<c>max_tokens</c> is <c>max_completion_tokens</c> there).
/// With <c>drop_params</c> the refused ones are removed before the call; without it the call is refused with 400.
/// </summary>
internal sealed class UnsupportedParameters
{
    private static readonly string[] ReasoningModelRefuses = ["logprobs", "top_logprobs", "top_p", "presence_penalty", "frequency_penalty"];

    private UnsupportedParameters(IEnumerable<string> refused, IEnumerable<string> onlyOne, IReadOnlyDictionary<string, string> renamed, IEnumerable<string> alwaysDropped)
    {
        Refused = refused.ToHashSet(StringComparer.Ordinal);
        OnlyOne = onlyOne.ToHashSet(StringComparer.Ordinal);
        Renamed = renamed;
        AlwaysDropped = alwaysDropped.ToHashSet(StringComparer.Ordinal);
    }

    public IReadOnlySet<string> Refused { get; }

    /// <summary>Fields of <c>additional_drop_params</c>.</summary>
    public IReadOnlySet<string> AlwaysDropped { get; }

    public IReadOnlySet<string> OnlyOne { get; }

    public IReadOnlyDictionary<string, string> Renamed { get; }

    public bool IsEmpty => Refused.Count == 0 && OnlyOne.Count == 0 && Renamed.Count == 0 && AlwaysDropped.Count == 0;

    /// <param name="additional"><c>additional_drop_params</c>: always removed, whatever <c>drop_params</c> says.</param>
    public static UnsupportedParameters For(string provider, string providerModel, IReadOnlyList<string> additional)
    {
        var model = providerModel[(providerModel.LastIndexOf('/') + 1)..];
        IEnumerable<string> refused = provider switch
        {
            // Groq documents these as refused with 400 (https://console.groq.com/docs/openai).
            "groq" => ["logprobs", "logit_bias", "top_logprobs"],
            // Mistral refuses fields outside its schema (422 extra_forbidden); these are OpenAI's that it lacks.
            "mistral" => ["logprobs", "logit_bias", "top_logprobs", "user", "service_tier", "store", "metadata", "stream_options", "functions", "function_call"],
            "openai" or "azure" when IsReasoningModel(model) => model.Contains("gpt-5", StringComparison.Ordinal) ? [.. ReasoningModelRefuses, "stop"] : ReasoningModelRefuses,
            _ => [],
        };
        var reasoning = provider is "openai" or "azure" && IsReasoningModel(model);
        var onlyOne = reasoning && !AcceptsAnyTemperature(model) ? new[] { "temperature" } : [];
        var renamed = reasoning ? new Dictionary<string, string> { ["max_tokens"] = "max_completion_tokens" } : new Dictionary<string, string>();
        return new UnsupportedParameters(refused, onlyOne, renamed, additional);
    }

    /// <summary>OpenAI's o-series and gpt-5 family (not gpt-5-chat, which is a chat model).</summary>
    private static bool IsReasoningModel(string model) =>
        model.StartsWith("o1", StringComparison.Ordinal) || model.StartsWith("o3", StringComparison.Ordinal) || model.StartsWith("o4", StringComparison.Ordinal)
        || (model.Contains("gpt-5", StringComparison.Ordinal) && !model.Contains("gpt-5-chat", StringComparison.Ordinal));

    /// <summary>gpt-5.1 and gpt-5.2 (not -pro) take any temperature, since their reasoning effort defaults to none.</summary>
    private static bool AcceptsAnyTemperature(string model) =>
        model.StartsWith("gpt-5.1", StringComparison.Ordinal) || (model.StartsWith("gpt-5.2", StringComparison.Ordinal) && !model.Contains("pro", StringComparison.Ordinal));
}
