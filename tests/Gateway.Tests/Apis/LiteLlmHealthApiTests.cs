using System.Net;
using System.Text.Json;

namespace Gateway.Tests.Apis;

public sealed class LiteLlmHealthApiTests : IDisposable
{
    private readonly TemporaryDirectory _data = new();

    [Theory]
    [InlineData("/health/liveliness")]
    [InlineData("/health/liveness")]
    public async Task Liveliness_answers_like_LiteLLM_without_credentials(string path)
    {
        await using var host = await GatewayHost.StartAsync(_data);

        var response = await host.Client.GetAsync(path, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("\"I'm alive!\"", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Readiness_reports_the_database_connected_and_the_backends_in_use()
    {
        await using var host = await GatewayHost.StartAsync(_data);

        var response = await host.Client.GetAsync("/health/readiness", TestContext.Current.CancellationToken);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("healthy", body.RootElement.GetProperty("status").GetString());
        Assert.Equal("connected", body.RootElement.GetProperty("db").GetString());
        Assert.Equal("sqlite", body.RootElement.GetProperty("backends").GetProperty("relational").GetString());
    }

    public void Dispose() => _data.Dispose();
}
