using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Storage.Governance;
using Storage.Governance.Keys;
using Storage.Relational;
using Storage.Relational.Entities;

namespace TraceUi.Tests;

/// <summary>
/// TraceUi deployed apart from the gateway (the distributed shape): the gateway runs as a host of its own on the
/// same store, and TraceUi reads its live catalog over the gateway's admin status route.
/// </summary>
public sealed class RemoteGatewayTests : IAsyncLifetime
{
    private readonly TemporaryDirectory _data = new("ui-remote-");
    private TestWebHost _gateway = null!;
    private TestWebHost _ui = null!;
    private bool _gatewayStopped;
    private BrowserlessClient _browser = null!;

    public async ValueTask InitializeAsync()
    {
        _gateway = await UiHost.StartSeparateGatewayAsync(_data);
        _ui = await UiHost.StartWithRemoteGatewayAsync(_data, _gateway);
        _browser = new BrowserlessClient(_ui.BaseAddress);
        await _browser.SignInAsync(UiHost.AdminEmail, UiHost.AdminPassword);
    }

    [Fact]
    public async Task The_catalog_comes_from_the_separate_gateway_and_the_master_key_is_compared_locally()
    {
        var models = _ui.Services.GetRequiredService<IGatewayModels>();

        Assert.Equal("RemoteGatewayCatalog", models.GetType().Name);
        Assert.Null(await models.RefreshAsync(TestContext.Current.CancellationToken));
        Assert.Equal(["mock-echo", "mock-fixed"], models.Names);
        Assert.True(models.IsMasterKey(UiHost.MasterKey));
        Assert.False(models.IsMasterKey(UiHost.MasterKey + "x"));
    }

    [Fact]
    public async Task A_key_created_in_the_form_is_checked_against_the_gateways_models_and_works_at_that_gateway()
    {
        var page = await _browser.GetPageAsync("/gateway/keys");

        var response = await _browser.PostFormAsync("/gateway/keys", page, GatewayForms.CreateKey("remote", models: "mock-echo"));
        var secret = GatewayForms.IssuedSecret().Match(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).Groups[1].Value;
        var unknown = await _browser.PostFormAsync("/gateway/keys", page, GatewayForms.CreateKey("unknown", models: "gpt-9"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.DoesNotContain("data-gateway-notice", page, StringComparison.Ordinal);
        Assert.Equal(VirtualKeyHasher.Token(secret), Assert.Single(await KeysAsync()).Token);
        Assert.Equal(HttpStatusCode.OK, (await GatewayCalls.ChatAsync(_gateway, secret, "mock-echo")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await GatewayCalls.ChatAsync(_gateway, secret, "mock-fixed")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Contains("models: &#x27;gpt-9&#x27; is not a model of this gateway", await unknown.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        Assert.DoesNotContain(UiHost.MasterKey, _ui.Logs.All + _gateway.Logs.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_models_page_lists_the_gateways_groups()
    {
        var page = await _browser.GetPageAsync("/gateway/models");

        Assert.Contains("data-model-group=\"mock-echo\"", page, StringComparison.Ordinal);
        Assert.Contains("data-model-group=\"mock-fixed\"", page, StringComparison.Ordinal);
        Assert.DoesNotContain("data-gateway-notice", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_the_gateway_stopped_pages_show_the_database_and_a_change_is_refused_with_a_notice()
    {
        await StopGatewayAsync();

        var page = await _browser.GetPageAsync("/gateway/keys");
        var response = await _browser.PostFormAsync("/gateway/keys", page, GatewayForms.CreateKey("while-down", models: "mock-echo"));
        var answer = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        var models = await _browser.GetAsync("/gateway/models");

        Assert.Contains("data-gateway-notice", page, StringComparison.Ordinal);
        Assert.Contains("The gateway cannot be asked for its live model catalog now", page, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Contains("Not changed: the gateway&#x27;s model catalog is needed", answer, StringComparison.Ordinal);
        Assert.Empty(await KeysAsync());
        Assert.Equal(HttpStatusCode.OK, models.StatusCode);
        Assert.Contains("data-gateway-notice", await models.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    private async Task<List<VirtualKey>> KeysAsync()
    {
        await using var scope = _ui.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<PlatformDbContext>().VirtualKeys.AsNoTracking().ToListAsync(TestContext.Current.CancellationToken);
    }

    private async Task StopGatewayAsync()
    {
        if (!_gatewayStopped)
        {
            _gatewayStopped = true;
            await _gateway.DisposeAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _browser.Dispose();
        await _ui.DisposeAsync();
        await StopGatewayAsync();
        _data.Dispose();
        GC.SuppressFinalize(this);
    }
}
