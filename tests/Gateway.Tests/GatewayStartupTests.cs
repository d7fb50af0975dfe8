using System.Text.Json;
using Microsoft.Extensions.Options;

namespace Gateway.Tests;

public sealed class GatewayStartupTests : IDisposable
{
    private readonly TemporaryDirectory _data = new();

    [Fact]
    public async Task Starts_alone_on_the_embedded_store_and_health_names_it()
    {
        await using var host = await GatewayHost.StartAsync(_data);

        using var health = JsonDocument.Parse(await host.Client.GetStringAsync("/health", TestContext.Current.CancellationToken));

        Assert.Equal("Healthy", health.RootElement.GetProperty("status").GetString());
        var relational = health.RootElement.GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "relational");
        Assert.Equal("sqlite", relational.GetProperty("data").GetProperty("backend").GetString());
        Assert.Contains(host.Logs.Lines, line => line.Contains("Storage seam relational uses sqlite", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("not-a-litellm-key")]
    [InlineData("SK-1234-wrong-case")]
    public async Task Master_key_that_LiteLLM_would_refuse_stops_start_up(string masterKey)
    {
        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() =>
            GatewayHost.StartAsync(_data, new Dictionary<string, string?> { ["LITELLM_MASTER_KEY"] = masterKey }));

        Assert.Contains("LITELLM_MASTER_KEY must start with 'sk-'", failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(masterKey, failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LiteLLMs_own_example_master_key_is_accepted()
    {
        await using var host = await GatewayHost.StartAsync(_data, new Dictionary<string, string?> { ["LITELLM_MASTER_KEY"] = "sk-1234" });

        Assert.NotNull(host.App);
    }

    [Fact]
    public async Task Valid_master_key_is_accepted_and_never_logged()
    {
        await using var host = await GatewayHost.StartAsync(_data, new Dictionary<string, string?> { ["LITELLM_MASTER_KEY"] = "sk-master-0123456789" });

        Assert.DoesNotContain("sk-master-0123456789", host.Logs.All, StringComparison.Ordinal);
    }

    public void Dispose() => _data.Dispose();
}
