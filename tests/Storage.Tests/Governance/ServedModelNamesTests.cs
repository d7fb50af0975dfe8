using Storage.Governance;

namespace Storage.Tests.Governance;

public sealed class ServedModelNamesTests
{
    private static readonly ServedModelNames Served = new(["chat", "embed"], ["openai/*", "gpt-*-mini"]);

    [Theory]
    [InlineData("chat")]
    [InlineData("openai/gpt-4o")]
    [InlineData("gpt-4o-mini")]
    [InlineData("ch*")]
    [InlineData("openai/*")]
    [InlineData("gpt-*")]
    public void Groups_names_a_pattern_serves_and_prefixes_covering_either_are_served(string model) => Assert.True(Served.Serves(model));

    [Theory]
    [InlineData("Chat")]
    [InlineData("anthropic/claude")]
    [InlineData("gpt-4o")]
    [InlineData("x*")]
    [InlineData("")]
    public void Other_names_are_not(string model) => Assert.False(Served.Serves(model));

    [Fact]
    public void Names_are_the_groups_then_the_patterns() => Assert.Equal(["chat", "embed", "openai/*", "gpt-*-mini"], Served.Names);

    [Fact]
    public void The_status_a_gateway_reports_gives_the_same_names()
    {
        var status = new GatewayStatus(DateTimeOffset.UnixEpoch, [new ModelGroupStatus("chat", [], []), new ModelGroupStatus("embed", [], [])], ["openai/*", "gpt-*-mini"]);

        Assert.Equal(Served.Names, ServedModelNames.Of(status).Names);
        Assert.True(ServedModelNames.Of(status).Serves("openai/o3"));
    }
}
