using Storage.Governance;

namespace Storage.Tests.Governance;

public sealed class ModelPatternTests
{
    [Theory]
    [InlineData("openai/*", "openai/gpt-4o", new[] { "gpt-4o" })]
    [InlineData("*", "anthropic/claude-sonnet-4", new[] { "anthropic/claude-sonnet-4" })]
    [InlineData("fo::*:static::*", "fo::hi:static::there", new[] { "hi", "there" })]
    [InlineData("gpt-*-mini", "gpt-4o-mini", new[] { "4o" })]
    [InlineData("a*b*c", "aXbYbZc", new[] { "X", "YbZ" })]
    [InlineData("openai/*", "openai/", new[] { "" })]
    public void A_pattern_captures_what_each_wildcard_matched(string pattern, string model, string[] captures) =>
        Assert.Equal(captures, new ModelPattern(pattern).Match(model));

    [Theory]
    [InlineData("openai/*", "azure/gpt-4o")]
    [InlineData("gpt-*-mini", "gpt-4o")]
    [InlineData("fo::*:static::*", "fo::hi")]
    public void A_pattern_does_not_match_other_names(string pattern, string model) => Assert.Null(new ModelPattern(pattern).Match(model));

    [Fact]
    public void Names_longer_than_any_model_name_are_not_matched() => Assert.Null(new ModelPattern("*").Match(new string('x', 300)));

    [Theory]
    [InlineData("openai/*", new[] { "gpt-4o" }, "openai/gpt-4o")]
    [InlineData("openai/fo::*:static::*", new[] { "hi", "there" }, "openai/fo::hi:static::there")]
    [InlineData("azure/fixed", new[] { "ignored" }, "azure/fixed")]
    public void Captures_fill_the_deployments_model_in_order(string template, string[] captures, string expected) =>
        Assert.Equal(expected, ModelPattern.Substitute(template, captures));

    [Fact]
    public void More_literal_characters_make_a_pattern_more_specific() =>
        Assert.True(new ModelPattern("openai/gpt-*").LiteralLength > new ModelPattern("openai/*").LiteralLength);
}
