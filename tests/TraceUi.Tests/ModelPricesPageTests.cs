using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Storage.Relational;

namespace TraceUi.Tests;

public sealed class ModelPricesPageTests : UiTest
{
    private const string Path = "/project/web-shop/settings/prices";

    private static Dictionary<string, string> AddForm(string model) => new()
    {
        ["_handler"] = "add-price",
        ["Price.ModelName"] = model,
        ["Price.Input"] = "2",
        ["Price.Output"] = "8",
    };

    private async Task<List<Storage.Relational.Entities.ModelPriceOverride>> OverridesAsync()
    {
        await using var scope = Host.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<PlatformDbContext>().ModelPriceOverrides.AsNoTracking().ToListAsync(TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Admin_adds_a_project_price_stored_per_token_and_shown_per_million()
    {
        await Browser.SignInAsync(UiHost.AdminEmail, UiHost.AdminPassword);
        var page = await Browser.GetPageAsync(Path);

        var response = await Browser.PostFormAsync(Path, page, AddForm("my-finetune"));
        var after = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var stored = Assert.Single(await OverridesAsync());
        Assert.Equal(("my-finetune", "^my-finetune$", "web-shop"), (stored.ModelName, stored.MatchPattern, stored.ProjectId));
        Assert.Equal(0.000002m, Storage.Pricing.ProjectModelPrices.ToModelPrice(stored).Prices["input"]);
        Assert.Contains("$8", after, StringComparison.Ordinal);
        Assert.Contains("gpt-4o", after, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invalid_prices_are_refused_with_a_message()
    {
        await Browser.SignInAsync(UiHost.AdminEmail, UiHost.AdminPassword);
        var page = await Browser.GetPageAsync(Path);
        var form = AddForm("broken");
        form["Price.MatchPattern"] = "([";

        var response = await Browser.PostFormAsync(Path, page, form);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("not a valid regular expression", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        Assert.Empty(await OverridesAsync());
    }

    [Fact]
    public async Task Viewer_sees_prices_but_cannot_add_them()
    {
        await Browser.SignInAsync(UiHost.ViewerEmail, UiHost.ViewerPassword);
        var page = await Browser.GetPageAsync(Path);

        var response = await Browser.PostFormAsync(Path, page, AddForm("sneaky"));

        Assert.DoesNotContain("Add price", page, StringComparison.Ordinal);
        Assert.Contains(response.StatusCode, new[] { HttpStatusCode.BadRequest, HttpStatusCode.Forbidden });
        Assert.Empty(await OverridesAsync());
    }
}
