using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;

namespace Standalone.Tests;

public sealed class StandaloneDefaultsTests : IDisposable
{
    private readonly TemporaryDirectory _data = new("standalone-");

    [Fact]
    public void Listens_on_localhost_4000_when_no_urls_are_given()
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = ["--Storage:DataDirectory", _data.Path] });
        builder.Configuration["urls"] = null;
        builder.Configuration["HTTP_PORTS"] = null;
        builder.Configuration["HTTPS_PORTS"] = null;

        builder.AddStandaloneDefaults();

        Assert.Equal("http://localhost:4000", builder.WebHost.GetSetting(WebHostDefaults.ServerUrlsKey));
    }

    [Fact]
    public void Chosen_urls_are_left_alone()
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = ["--urls", "http://127.0.0.1:5999", "--Storage:DataDirectory", _data.Path] });

        builder.AddStandaloneDefaults();

        Assert.Equal("http://127.0.0.1:5999", builder.WebHost.GetSetting(WebHostDefaults.ServerUrlsKey));
    }

    [Fact]
    public void A_corrupt_credentials_file_stops_start_up_with_what_to_do()
    {
        File.WriteAllText(Path.Combine(_data.Path, StandaloneCredentials.FileName), "{ not json");
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = ["--Storage:DataDirectory", _data.Path] });

        var failure = Assert.Throws<InvalidOperationException>(() => builder.AddStandaloneDefaults());

        Assert.Contains("credentials.json", failure.Message, StringComparison.Ordinal);
        Assert.Contains("delete", failure.Message, StringComparison.Ordinal);
    }

    public void Dispose() => _data.Dispose();
}
