using System.Collections.Concurrent;
using Gateway.Inbound;
using Gateway.Routing;
using Gateway.Usage;
using Microsoft.Extensions.Options;
using Storage.Pricing;

namespace Gateway.Governance.Budgets;

/// <summary>
/// What calls cost: a deployment's <c>model_info.input_cost_per_token</c> / <c>output_cost_per_token</c> when the
/// config sets them, else the model price table (the one TraceIngest prices with). Before a call only an upper
/// bound is known, which is what a budget reserves.
/// </summary>
internal sealed class CallCosts(ModelPriceTable prices, IOptions<GovernanceOptions> options, TimeProvider clock)
{
    // JSON bodies hold at least about three bytes per prompt token, so this bounds the prompt from above.
    private const int BodyBytesPerTokenBound = 3;

    private readonly ConcurrentDictionary<Deployment, TokenPrice> _prices = new();

    public TokenPrice PriceOf(Deployment deployment) => _prices.GetOrAdd(deployment, Lookup);

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
        return Nanos((price.Input * usage.PromptTokens) + (price.Output * usage.CompletionTokens));
    }

    public double Dollars(Deployment deployment, TokenUsage usage) => Usd.ToDollars(ActualNanos(deployment, usage));

    private static long Nanos(decimal dollars) => (long)Math.Min(decimal.Round(dollars * Usd.NanosPerDollar), long.MaxValue / 4);

    private TokenPrice Lookup(Deployment deployment)
    {
        var info = deployment.Config.Info;
        var model = deployment.Config.Params;
        var listed = info.InputCostPerToken is not null && info.OutputCostPerToken is not null ? null
            : prices.Match(model.Model, clock.GetUtcNow().UtcDateTime) ?? prices.Match(model.ProviderModel, clock.GetUtcNow().UtcDateTime);
        return new TokenPrice(
            info.InputCostPerToken ?? (listed?.Prices.TryGetValue("input", out var input) == true ? input : 0),
            info.OutputCostPerToken ?? (listed?.Prices.TryGetValue("output", out var output) == true ? output : 0));
    }
}

/// <summary>US dollars per prompt and per completion token.</summary>
internal readonly record struct TokenPrice(decimal Input, decimal Output);
