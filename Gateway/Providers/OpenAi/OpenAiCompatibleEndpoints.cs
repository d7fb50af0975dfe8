namespace Gateway.Providers.OpenAi;

/// <param name="Provider">The LiteLLM prefix.</param>
/// <param name="DefaultBase">The provider's public base URL, or null when <c>api_base</c> is required.</param>
/// <param name="EnvironmentPrefix">LiteLLM's environment names: <c>&lt;prefix&gt;_API_BASE</c> and <c>&lt;prefix&gt;_API_KEY</c>.</param>
/// <param name="PathSuffix">Appended to <c>api_base</c> when missing (Ollama's OpenAI API lives under <c>/v1</c>).</param>
/// <param name="KeyRequired">Whether calls to the default base URL need a key (local servers do not).</param>
internal sealed record OpenAiCompatibleEndpoint(string Provider, string? DefaultBase, string EnvironmentPrefix, string PathSuffix = "", bool KeyRequired = true);

/// <summary>Providers whose API is OpenAI's, so requests and answers pass through as bytes.</summary>
internal static class OpenAiCompatibleEndpoints
{
    private static readonly Dictionary<string, OpenAiCompatibleEndpoint> ByProvider = new OpenAiCompatibleEndpoint[]
    {
        new("openai", "https://api.openai.com/v1", "OPENAI"),
        new("hosted_vllm", null, "HOSTED_VLLM", KeyRequired: false),
        new("litellm_proxy", null, "LITELLM_PROXY", KeyRequired: false),
        new("ollama", "http://localhost:11434", "OLLAMA", "/v1", KeyRequired: false),
        new("ollama_chat", "http://localhost:11434", "OLLAMA", "/v1", KeyRequired: false),
        new("lm_studio", "http://localhost:1234/v1", "LM_STUDIO", KeyRequired: false),
        new("groq", "https://api.groq.com/openai/v1", "GROQ"),
        new("mistral", "https://api.mistral.ai/v1", "MISTRAL"),
        new("deepseek", "https://api.deepseek.com/v1", "DEEPSEEK"),
        new("openrouter", "https://openrouter.ai/api/v1", "OPENROUTER"),
        new("xai", "https://api.x.ai/v1", "XAI"),
        new("together_ai", "https://api.together.xyz/v1", "TOGETHERAI"),
    }.ToDictionary(e => e.Provider, StringComparer.Ordinal);

    public static IEnumerable<string> Providers => ByProvider.Keys;

    public static OpenAiCompatibleEndpoint? Find(string provider) => ByProvider.GetValueOrDefault(provider);
}
