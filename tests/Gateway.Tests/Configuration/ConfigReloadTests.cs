using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Tests.Configuration;

/// <summary>The config file is watched: changes apply without a restart, calls in flight finish, invalid changes are refused.</summary>
public sealed class ConfigReloadTests : IAsyncLifetime
{
    private readonly TemporaryDirectory _data = new();
    private FakeOpenAiUpstream _old = null!;
    private FakeOpenAiUpstream _new = null!;

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _old = await FakeOpenAiUpstream.StartAsync();
        _new = await FakeOpenAiUpstream.StartAsync();
        _old.Responder = _ => FakeReply.Answer("old");
        _new.Responder = _ => FakeReply.Answer("new");
    }

    private static string Config(FakeOpenAiUpstream upstream, string id, string extraModel = "") => $$"""
        model_list:
          - model_name: chat
            litellm_params: {model: openai/gpt-4o, api_base: "{{upstream.ApiBase}}", api_key: sk-up-1234}
            model_info: {id: {{id}}}
        {{extraModel}}
        """;

    private static string ConfigPath(TestWebHost gateway) => gateway.Services.GetRequiredService<IConfiguration>()["config"]!;

    private static async Task<HttpResponseMessage> WaitUntilServedByAsync(TestWebHost gateway, string deployment)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var response = await gateway.Client.SendAsync(GatewayClients.ChatRequest("chat"), Cancellation);
            if (response.Header(GatewayCallHeaders.Deployment) == deployment || clock.Elapsed > TimeSpan.FromSeconds(20))
            {
                return response;
            }

            response.Dispose();
            await Task.Delay(50, Cancellation);
        }
    }

    [Fact]
    public async Task A_changed_config_serves_new_calls_while_the_call_in_flight_finishes_on_the_old_one()
    {
        _old.Responder = _ => FakeReply.Delayed(TimeSpan.FromSeconds(2), FakeReply.Answer("old"));
        await using var gateway = await GatewayHost.StartWithConfigAsync(_data, Config(_old, "old-deployment"));
        var inFlight = gateway.Client.SendAsync(GatewayClients.ChatRequest("chat"), Cancellation);
        while (_old.Requests.Count == 0)
        {
            await Task.Delay(10, Cancellation);
        }

        await File.WriteAllTextAsync(ConfigPath(gateway), Config(_new, "new-deployment", """
              - model_name: added
                litellm_params: {model: mock/added}
            """), Cancellation);
        using var afterReload = await WaitUntilServedByAsync(gateway, "new-deployment");
        using var finished = await inFlight;

        Assert.Equal("new-deployment", afterReload.Header(GatewayCallHeaders.Deployment));
        Assert.Equal(HttpStatusCode.OK, finished.StatusCode);
        Assert.Equal("old-deployment", finished.Header(GatewayCallHeaders.Deployment));
        Assert.Contains("\"old\"", await finished.Content.ReadAsStringAsync(Cancellation), StringComparison.Ordinal);
        var models = await GatewayClients.Models(gateway).GetModelsAsync(Cancellation);
        Assert.Equal(["chat", "added"], models.Value.Select(m => m.Id));
        Assert.Contains(gateway.Logs.Lines, line => line.Contains($"Gateway config {ConfigPath(gateway)} reloaded: 2 models", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_invalid_change_is_logged_with_the_file_path_and_reason_and_the_old_config_keeps_serving()
    {
        await using var gateway = await GatewayHost.StartWithConfigAsync(_data, Config(_old, "old-deployment"));
        var path = ConfigPath(gateway);

        await File.WriteAllTextAsync(path, Config(_new, "new-deployment").Replace("openai/gpt-4o", "gpt-4o", StringComparison.Ordinal), Cancellation);
        var clock = Stopwatch.StartNew();
        while (!gateway.Logs.Lines.Any(line => line.Contains("changed but is invalid", StringComparison.Ordinal)) && clock.Elapsed < TimeSpan.FromSeconds(20))
        {
            await Task.Delay(50, Cancellation);
        }

        Assert.Contains(gateway.Logs.Lines, line => line.Contains($"Gateway config {path} changed but is invalid, the previous config keeps serving", StringComparison.Ordinal)
            && line.Contains("model_list[0].litellm_params.model: 'gpt-4o' has no provider prefix", StringComparison.Ordinal));
        using var response = await gateway.Client.SendAsync(GatewayClients.ChatRequest("chat"), Cancellation);
        Assert.Equal("old-deployment", response.Header(GatewayCallHeaders.Deployment));
        Assert.Empty(_new.Requests);

        // A later valid version is taken up as usual.
        await File.WriteAllTextAsync(path, Config(_new, "new-deployment"), Cancellation);
        using var fixedResponse = await WaitUntilServedByAsync(gateway, "new-deployment");
        Assert.Equal("new-deployment", fixedResponse.Header(GatewayCallHeaders.Deployment));
    }

    [Fact]
    public async Task A_config_replaced_by_renaming_as_editors_and_ConfigMaps_do_is_taken_up()
    {
        await using var gateway = await GatewayHost.StartWithConfigAsync(_data, Config(_old, "old-deployment"));
        var path = ConfigPath(gateway);

        var staged = path + ".new";
        await File.WriteAllTextAsync(staged, Config(_new, "new-deployment"), Cancellation);
        File.Move(staged, path, overwrite: true);

        using var response = await WaitUntilServedByAsync(gateway, "new-deployment");
        Assert.Equal("new-deployment", response.Header(GatewayCallHeaders.Deployment));
    }

    public async ValueTask DisposeAsync()
    {
        await _old.DisposeAsync();
        await _new.DisposeAsync();
        _data.Dispose();
    }
}
