using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace TraceIngest.Tests.Apis;

public sealed class PublicProjectsApiTests(PostgresServer postgres) : IDisposable
{
    private const string PublicKey = "pk-lf-projects-test";
    private const string SecretKey = "sk-lf-projects-test-secret-0123456789";
    private readonly TemporaryDirectory _data = new();

    private Task<TestWebHost> StartEmbeddedAsync()
    {
        var settings = TraceIngestHost.Project("alpha", PublicKey, SecretKey);
        settings["Storage:DataDirectory"] = _data.Path;
        return TraceIngestHost.StartAsync(settings);
    }

    private static HttpRequestMessage Get(string path, string? user, string? password)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (user is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
        }

        return request;
    }

    [Fact]
    public async Task Project_key_pair_reads_its_own_project()
    {
        await using var host = await StartEmbeddedAsync();

        var response = await host.Client.SendAsync(Get("/api/public/projects", PublicKey, SecretKey), TestContext.Current.CancellationToken);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var project = Assert.Single(body.RootElement.GetProperty("data").EnumerateArray());
        Assert.Equal("alpha", project.GetProperty("id").GetString());
        Assert.Equal("Project alpha", project.GetProperty("name").GetString());
        Assert.Equal(JsonValueKind.Object, project.GetProperty("metadata").ValueKind);
    }

    [Theory]
    [InlineData(PublicKey, "sk-lf-wrong")]
    [InlineData("pk-lf-unknown", SecretKey)]
    [InlineData(null, null)]
    public async Task Wrong_or_missing_credentials_get_401_with_a_json_message(string? user, string? password)
    {
        await using var host = await StartEmbeddedAsync();

        var response = await host.Client.SendAsync(Get("/api/public/projects", user, password), TestContext.Current.CancellationToken);
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        using var json = JsonDocument.Parse(body);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.False(string.IsNullOrWhiteSpace(json.RootElement.GetProperty("message").GetString()));
        Assert.DoesNotContain(SecretKey, body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Basic not-base64!!")]
    [InlineData("Basic bm9jb2xvbg==")]
    [InlineData("Bearer sk-lf-something")]
    [InlineData("Basic")]
    public async Task Malformed_authorization_gets_401_never_500(string header)
    {
        await using var host = await StartEmbeddedAsync();
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/public/projects");
        request.Headers.TryAddWithoutValidation("Authorization", header);

        var response = await host.Client.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task A_key_only_ever_sees_its_own_project_on_a_shared_postgres()
    {
        var connectionString = await postgres.CreateDatabaseAsync("projects");
        var alpha = TraceIngestHost.Project("alpha", "pk-lf-alpha", "sk-lf-alpha-secret-000000000000");
        alpha["ConnectionStrings:projectdb"] = connectionString;
        var beta = TraceIngestHost.Project("beta", "pk-lf-beta", "sk-lf-beta-secret-0000000000000");
        beta["ConnectionStrings:projectdb"] = connectionString;
        await (await TraceIngestHost.StartAsync(alpha)).DisposeAsync();
        await using var host = await TraceIngestHost.StartAsync(beta);

        var asAlpha = await host.Client.SendAsync(Get("/api/public/projects", "pk-lf-alpha", "sk-lf-alpha-secret-000000000000"), TestContext.Current.CancellationToken);
        var crossed = await host.Client.SendAsync(Get("/api/public/projects", "pk-lf-alpha", "sk-lf-beta-secret-0000000000000"), TestContext.Current.CancellationToken);
        using var body = JsonDocument.Parse(await asAlpha.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));

        Assert.Equal("alpha", Assert.Single(body.RootElement.GetProperty("data").EnumerateArray()).GetProperty("id").GetString());
        Assert.Equal(HttpStatusCode.Unauthorized, crossed.StatusCode);
    }

    [Fact]
    public async Task Public_health_answers_without_credentials()
    {
        await using var host = await StartEmbeddedAsync();

        using var body = JsonDocument.Parse(await host.Client.GetStringAsync("/api/public/health", TestContext.Current.CancellationToken));

        Assert.Equal("OK", body.RootElement.GetProperty("status").GetString());
        Assert.False(string.IsNullOrEmpty(body.RootElement.GetProperty("version").GetString()));
    }

    public void Dispose() => _data.Dispose();
}
