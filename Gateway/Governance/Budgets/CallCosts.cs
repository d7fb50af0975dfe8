using System.Runtime.CompilerServices;
using Gateway.Inbound;
using Gateway.Routing;
using Gateway.Usage;
using Microsoft.Extensions.Options;
using Storage.Pricing;

namespace Gateway.Governance.Budgets;

/// <summary>
/// What calls cost: a deployment's <c>model_info.input_cost_per_token</c> / <c>output_cost_per_token</c> when the
/// config sets them, else the model price table (the one TraceIngest prices with), prompt-cache reads and writes
/// at their own prices. Before a call only an upper bound is known, which is what a budget reserves.
/// </summary>
internal sealed class CallCosts(ModelPriceTable prices, IOptions<GovernanceOptions> options, TimeProvider clock)
{
    // JSON bodies hold at least about three bytes per prompt token, so this bounds the prompt from above.
    private const int BodyBytesPerTokenBound = 3;

    // Keyed weakly: a config reload replaces every deployment, and the old ones must not stay reachable from here.
    private readonly ConditionalWeakTable<Deployment, TokenPrice> _prices = new();

    public TokenPrice PriceOf(Deployment deployment) => _prices.GetValue(deployment, Lookup);

    /// <summary>The most any deployment of <paramref name="group"/> could charge for the call, in nano-dollars.</summary>
    public long EstimateNanos(ModelGroup group, GatewayCall call)
    {
        var promptTokens = (call.Body.Length + BodyBytesPerTokenBound - 1) / BodyBytesPerTokenBound;
        decimal most = 0;
        foreach (var deployment in group.Deployments)
        {
            var info = deployment.Config.Info;
            var completionTokens = call.Operation == OpenAiOperation.Embeddings ? 0
                : call.Fields.MaxTokens ?? info.MaxOutputTokens ?? info.MaxTokens ?? options.Value.DefaultMaxTokensEstimate;
            var price = PriceOf(deployment);
            most = Math.Max(most, (price.Input * promptTokens) + (price.Output * Math.Max(0, completionTokens)));
        }

        return Nanos(most);
    }

    public long ActualNanos(Deployment deployment, TokenUsage usage)
    {
        var price = PriceOf(deployment);
        var oneHourWrites = Math.Min(usage.CacheCreation1hTokens, usage.CacheCreationTokens);
        var uncached = Math.Max(0, usage.PromptTokens - usage.CacheReadTokens - usage.CacheCreationTokens);
        return Nanos((price.Input * uncached) + (price.CacheRead * usage.CacheReadTokens)
            + (price.CacheCreation * (usage.CacheCreationTokens - oneHourWrites)) + (price.CacheCreation1h * oneHourWrites)
            + (price.Output * usage.CompletionTokens));
    }

    public double Dollars(Deployment deployment, TokenUsage usage) => Usd.ToDollars(ActualNanos(deployment, usage));

    private static long Nanos(decimal dollars) => (long)Math.Min(decimal.Round(dollars * Usd.NanosPerDollar), long.MaxValue / 4);

    private TokenPrice Lookup(Deployment deployment)
    {
        var info = deployment.Config.Info;
        var model = deployment.Config.Params;
        if (info.InputCostPerToken is { } configuredInput && info.OutputCostPerToken is { } configuredOutput)
        {
            return new TokenPrice(configuredInput, configuredOutput, configuredInput, configuredInput, configuredInput);
        }

        var now = clock.GetUtcNow().UtcDateTime;
        var listed = prices.Match(model.Model, now) ?? prices.Match(model.ProviderModel, now);
        decimal? Listed(string key) => listed?.Prices.TryGetValue(key, out var price) == true ? price : null;
        var input = info.InputCostPerToken ?? Listed("input") ?? 0;
        var cacheCreation = Listed("input_cache_creation") ?? input;
        return new TokenPrice(
            input,
            info.OutputCostPerToken ?? Listed("output") ?? 0,
            Listed("input_cache_read") ?? Listed("input_cached_tokens") ?? input,
            cacheCreation,
            Listed("input_cache_creation_1h") ?? cacheCreation);
    }
}

/// <summary>US dollars per token: uncached prompt, completion, and prompt tokens read from or written to a prompt cache (five-minute and one-hour writes).</summary>
internal sealed record TokenPrice(decimal Input, decimal Output, decimal CacheRead, decimal CacheCreation, decimal CacheCreation1h);
