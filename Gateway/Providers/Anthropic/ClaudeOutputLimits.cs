using System.Text.RegularExpressions;

namespace Gateway.Providers.Anthropic;

/// <summary>
/// The most output tokens each Claude model may write, from Anthropic's model pages: the <c>max_tokens</c> the
/// gateway sends when an OpenAI caller set none (Anthropic requires it), as LiteLLM does for the models it knows.
/// </summary>
internal static partial class ClaudeOutputLimits
{
    private static readonly (Regex Pattern, int MaxOutput)[] Limits =
    [
        (Family(), 131_072),
        (Opus46AndLater(), 131_072),
        (Sonnet45To46(), 65_536),
        (Opus45(), 65_536),
        (Haiku45(), 65_536),
        (Sonnet4(), 65_536),
        (Sonnet37(), 65_536),
        (Opus4(), 32_768),
        (Claude35(), 8_192),
        (Claude3(), 4_096),
    ];

    public static int? For(string model)
    {
        foreach (var (pattern, maxOutput) in Limits)
        {
            if (pattern.IsMatch(model))
            {
                return maxOutput;
            }
        }

        return null;
    }

    [GeneratedRegex(@"claude-(fable|mythos|opus|sonnet|haiku)-5", RegexOptions.IgnoreCase)]
    private static partial Regex Family();

    [GeneratedRegex(@"claude-opus-4-[6-9]", RegexOptions.IgnoreCase)]
    private static partial Regex Opus46AndLater();

    [GeneratedRegex(@"claude-sonnet-4-[5-9]", RegexOptions.IgnoreCase)]
    private static partial Regex Sonnet45To46();

    [GeneratedRegex(@"claude-opus-4-5", RegexOptions.IgnoreCase)]
    private static partial Regex Opus45();

    [GeneratedRegex(@"claude-haiku-4", RegexOptions.IgnoreCase)]
    private static partial Regex Haiku45();

    [GeneratedRegex(@"claude-(sonnet-4|4-sonnet)", RegexOptions.IgnoreCase)]
    private static partial Regex Sonnet4();

    [GeneratedRegex(@"claude-3-7-sonnet", RegexOptions.IgnoreCase)]
    private static partial Regex Sonnet37();

    [GeneratedRegex(@"claude-(opus-4|4-opus)", RegexOptions.IgnoreCase)]
    private static partial Regex Opus4();

    [GeneratedRegex(@"claude-3-5-", RegexOptions.IgnoreCase)]
    private static partial Regex Claude35();

    [GeneratedRegex(@"claude-3-", RegexOptions.IgnoreCase)]
    private static partial Regex Claude3();
}
