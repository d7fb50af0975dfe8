using Storage.Pricing;

namespace Storage.Tests.Pricing;

public sealed class ModelPriceTableTests
{
    private static readonly ModelPriceTable Table = ModelPriceTable.LoadDefaults();
    private static readonly DateTime Now = new(2026, 11, 23, 0, 0, 0, DateTimeKind.Utc);

    [Theory]
    [InlineData("gpt-4o", "gpt-4o")]
    [InlineData("gpt-4o-2024-08-06", "gpt-4o")]
    [InlineData("openai/gpt-4o-mini", "gpt-4o-mini")]
    [InlineData("azure/gpt-4.1-mini", "gpt-4.1-mini")]
    [InlineData("GPT-5", "gpt-5")]
    [InlineData("o4-mini", "o4-mini")]
    [InlineData("codex-mini-latest", "codex-mini")]
    [InlineData("text-embedding-3-small", "text-embedding-3-small")]
    [InlineData("claude-sonnet-4-20250514", "claude-sonnet-4")]
    [InlineData("claude-sonnet-4-5-20250929", "claude-sonnet-4.5")]
    [InlineData("anthropic/claude-3-5-haiku-latest", "claude-3.5-haiku")]
    [InlineData("us.anthropic.claude-sonnet-4-20250514-v1:0", "claude-sonnet-4")]
    [InlineData("bedrock/anthropic.claude-3-haiku-20240307-v1:0", "claude-3-haiku")]
    [InlineData("claude-opus-4-1-20250805", "claude-opus-4.1")]
    [InlineData("us.anthropic.claude-3-7-sonnet-20250219-v1:0", "claude-3.7-sonnet")]
    [InlineData("eu.anthropic.claude-sonnet-4-5-20250929-v1:0", "claude-sonnet-4.5")]
    [InlineData("apac.anthropic.claude-3-5-sonnet-20241022-v2:0", "claude-3.5-sonnet")]
    [InlineData("global.anthropic.claude-haiku-4-5-20251001-v1:0", "claude-haiku-4.5")]
    [InlineData("us-gov.anthropic.claude-3-haiku-20240307-v1:0", "claude-3-haiku")]
    [InlineData("bedrock/converse/us.anthropic.claude-opus-4-20250514-v1:0", "claude-opus-4")]
    [InlineData("converse/anthropic.claude-3-5-haiku-20241022-v1:0", "claude-3.5-haiku")]
    [InlineData("anthropic.claude-3-opus-20240229-v1:0", "claude-3-opus")]
    [InlineData("us.amazon.nova-pro-v1:0", "nova-pro")]
    [InlineData("bedrock/amazon.nova-micro-v1:0", "nova-micro")]
    [InlineData("eu.amazon.nova-lite-v1:0", "nova-lite")]
    [InlineData("us.meta.llama3-3-70b-instruct-v1:0", "llama3-3-70b-instruct")]
    [InlineData("meta.llama3-1-8b-instruct-v1:0", "llama3-1-8b-instruct")]
    [InlineData("us.meta.llama4-maverick-17b-instruct-v1:0", "llama4-maverick-17b-instruct")]
    [InlineData("mistral.mistral-large-2407-v1:0", "mistral-large-2407")]
    [InlineData("us.deepseek.r1-v1:0", "deepseek.r1")]
    [InlineData("openai.gpt-oss-120b-1:0", "gpt-oss-120b")]
    [InlineData("amazon.titan-embed-text-v2:0", "titan-embed-text-v2")]
    [InlineData("bedrock/cohere.embed-multilingual-v3", "cohere.embed-english-v3")]
    [InlineData("claude-opus-4-5-20251101", "claude-opus-4.5")]
    [InlineData("anthropic/claude-opus-4-6", "claude-opus-4.6")]
    [InlineData("claude-opus-4-8", "claude-opus-4.8")]
    [InlineData("claude-opus-5", "claude-opus-5")]
    [InlineData("claude-opus-5-5", "claude-opus-5.5")]
    [InlineData("claude-sonnet-4-6", "claude-sonnet-4.6")]
    [InlineData("claude-sonnet-5", "claude-sonnet-5")]
    [InlineData("global.anthropic.claude-sonnet-5-5-v1:0", "claude-sonnet-5.5")]
    [InlineData("claude-haiku-5-5", "claude-haiku-5.5")]
    [InlineData("claude-fable-5-1", "claude-fable-5.1")]
    [InlineData("claude-mythos-5", "claude-mythos-5")]
    [InlineData("claude-3-opus-20240229", "claude-3-opus")]
    public void Current_models_match_their_price_whatever_prefix_or_date_suffix(string model, string expected)
    {
        Assert.Equal(expected, Table.Match(model, Now)?.ModelName);
    }

    [Theory]
    [InlineData("claude-opus-4-5", 5, 25, 0.5, 6.25)]
    [InlineData("claude-opus-5-5", 4, 20, 0.2, 5)]
    [InlineData("claude-fable-5-1", 10, 50, 0.25, 12.5)]
    [InlineData("claude-sonnet-4-5", 3, 15, 0.3, 3.75)]
    [InlineData("claude-haiku-4-5", 1, 5, 0.1, 1.25)]
    public void Claude_prices_cover_cache_reads_and_writes_per_million_tokens(string model, double input, double output, double cacheRead, double cacheWrite)
    {
        var cost = Table.Match(model, Now)!.Cost(new Dictionary<string, ulong>
        {
            ["input"] = 1_000_000, ["output"] = 1_000_000, ["input_cache_read"] = 1_000_000, ["input_cache_creation"] = 1_000_000,
        });

        Assert.Equal(input, cost["input"], 9);
        Assert.Equal(output, cost["output"], 9);
        Assert.Equal(cacheRead, cost["input_cache_read"], 9);
        Assert.Equal(cacheWrite, cost["input_cache_creation"], 9);
    }

    [Theory]
    [InlineData("claude-opus-4-5", 10)]
    [InlineData("claude-sonnet-5-5", 4)]
    [InlineData("claude-3-5-haiku-20241022", 1.6)]
    public void One_hour_cache_writes_cost_twice_the_input_price(string model, double perMillion)
    {
        var price = Table.Match(model, Now)!;

        Assert.Equal(perMillion, price.Cost(new Dictionary<string, ulong> { ["input_cache_creation_1h"] = 1_000_000 })["input_cache_creation_1h"], 9);
    }

    [Fact]
    public void Sonnet_5_5_cache_reads_cost_half_from_7_October_2026()
    {
        var before = Table.Match("claude-sonnet-5-5", new DateTime(2026, 10, 6, 0, 0, 0, DateTimeKind.Utc))!;
        var after = Table.Match("claude-sonnet-5-5", Now)!;

        Assert.Equal(0.0000002m, before.Prices["input_cache_read"]);
        Assert.Equal(0.0000001m, after.Prices["input_cache_read"]);
    }

    [Theory]
    [InlineData("gpt-4o-mini-but-not-really-a-model")]
    [InlineData("my-finetune")]
    [InlineData("")]
    public void Unknown_models_have_no_price(string model)
    {
        Assert.Null(Table.Match(model, Now));
    }

    [Fact]
    public void Cost_is_usage_times_price_per_key_and_their_total()
    {
        var cost = Table.Match("gpt-4o-mini", Now)!.Cost(new Dictionary<string, ulong> { ["input"] = 1_000_000, ["output"] = 500_000, ["input_cached_tokens"] = 200_000, ["total"] = 1_700_000 });

        Assert.Equal(0.15, cost["input"], 9);
        Assert.Equal(0.30, cost["output"], 9);
        Assert.Equal(0.015, cost["input_cached_tokens"], 9);
        Assert.Equal(0.465, cost["total"], 9);
    }

    [Fact]
    public void A_project_price_beats_the_default_and_the_newest_started_price_wins()
    {
        ModelPrice[] project =
        [
            new("negotiated", "^gpt-4o$", new Dictionary<string, decimal> { ["input"] = 0.000001m }, new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc), "p"),
            new("newer", "^gpt-4o$", new Dictionary<string, decimal> { ["input"] = 0.000002m }, new DateTime(2026, 6, 1, 0, 0, 0, DateTimeKind.Utc), "p"),
            new("future", "^gpt-4o$", new Dictionary<string, decimal> { ["input"] = 0.000003m }, new DateTime(2027, 1, 1, 0, 0, 0, DateTimeKind.Utc), "p"),
        ];

        Assert.Equal("newer", Table.Match("gpt-4o", Now, project)?.ModelName);
        Assert.Equal("gpt-4o", Table.Match("gpt-4o", new DateTime(2025, 6, 1, 0, 0, 0, DateTimeKind.Utc), project)?.ModelName);
        Assert.Equal("gpt-4o-mini", Table.Match("gpt-4o-mini", Now, project)?.ModelName);
    }

    [Fact]
    public void Every_default_pattern_is_anchored_so_one_model_never_matches_two_prices()
    {
        Assert.All(Table.Defaults, price => Assert.StartsWith("^", price.MatchPattern, StringComparison.Ordinal));
        Assert.All(Table.Defaults, price => Assert.EndsWith("$", price.MatchPattern, StringComparison.Ordinal));
        foreach (var price in Table.Defaults)
        {
            // One model's price may change on a date (several entries with start dates), never two models' prices match.
            Assert.Single(Table.Defaults
                .Where(other => other.Regex.IsMatch(price.ModelName.Replace(".", "-", StringComparison.Ordinal)) || other.Regex.IsMatch(price.ModelName))
                .Select(other => other.ModelName)
                .Distinct());
        }
    }

    [Fact]
    public void A_pattern_that_backtracks_exponentially_is_still_decided_correctly()
    {
        // On a backtracking engine "(a+)+b" takes 2^n steps on a run of n a's without a b: the 50 ms limit gives up
        // before reaching the alternative that matches, and the linear-time engine must decide it instead.
        ModelPrice[] project = [new("nested", "(a+)+b|-gpt-x$", new Dictionary<string, decimal> { ["input"] = 0.000001m }, null, "p")];

        Assert.Equal("nested", Table.Match(new string('a', 40) + "-gpt-x", Now, project)?.ModelName);
    }

    [Fact]
    public void A_pattern_with_a_lookahead_still_matches_on_the_backtracking_engine()
    {
        ModelPrice[] project = [new("not-mini", "^my-4o(?!-mini)", new Dictionary<string, decimal> { ["input"] = 0.000001m }, null, "p")];

        Assert.Equal("not-mini", Table.Match("my-4o", Now, project)?.ModelName);
        Assert.Null(Table.Match("my-4o-mini", Now, project));
    }
}
