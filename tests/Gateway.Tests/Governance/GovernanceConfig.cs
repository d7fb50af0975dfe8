namespace Gateway.Tests.Governance;

/// <summary>
/// A config whose models cost money deterministically: the mock answers <c>chat</c> with exactly ten words (ten
/// completion tokens) at $0.001 per completion token and nothing per prompt token, so a call with
/// <c>max_tokens: 10</c> reserves and spends exactly $0.01.
/// </summary>
internal static class GovernanceConfig
{
    public const double CallCost = 0.01;

    public const string ChatBody = """{"model":"chat","max_tokens":10,"messages":[{"role":"user","content":"hi"}]}""";

    public static string Yaml(string extra = "") => $$"""
        model_list:
          - model_name: chat
            litellm_params: {model: mock/chat, mock_response: "one two three four five six seven eight nine ten"}
            model_info: {input_cost_per_token: 0, output_cost_per_token: 0.001}
          - model_name: other
            litellm_params: {model: mock/other}
          - model_name: embed
            litellm_params: {model: mock/embed}
        {{extra}}
        """;

    /// <summary>Fast flushes and resets, so tests see spend within a fraction of a second.</summary>
    public static Dictionary<string, string?> FastSettings(Dictionary<string, string?>? more = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Gateway:Governance:SpendFlushInterval"] = "00:00:00.200",
            ["Gateway:Governance:BudgetResetInterval"] = "00:00:00.500",
            ["Gateway:Governance:RedisRetryInterval"] = "00:00:00.300",
        };
        foreach (var (key, value) in more ?? [])
        {
            settings[key] = value;
        }

        return settings;
    }

    public static HttpRequestMessage Chat(string key, string body = ChatBody) => GatewayClients.Post("/v1/chat/completions", body, key);
}
