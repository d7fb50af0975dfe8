using System.Net;
using System.Net.Http.Headers;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace Standalone.Tests;

public sealed class StandaloneProcessTests : IDisposable
{
    private readonly TemporaryDirectory _data = new("standalone-");
    private readonly HttpClient _client = new();

    private static readonly Dictionary<string, string?> NoGivenCredentials = new()
    {
        // The test machine's own environment must not decide what the first start generates.
        ["LITELLM_MASTER_KEY"] = null,
        ["LANGFUSE_INIT_PROJECT_PUBLIC_KEY"] = null,
        ["LANGFUSE_INIT_PROJECT_SECRET_KEY"] = null,
        ["LANGFUSE_INIT_USER_EMAIL"] = null,
        ["LANGFUSE_INIT_USER_PASSWORD"] = null,
        ["CONFIG_FILE_PATH"] = null,
    };

    [Fact]
    public async Task First_start_is_healthy_on_embedded_backends_and_ctrl_c_stops_it_cleanly()
    {
        var (process, baseAddress) = await StandaloneProcess.StartAsync(_data.Path, NoGivenCredentials);
        await using (process)
        {
            var response = await _client.GetAsync(new Uri(baseAddress, "/health"), TestContext.Current.CancellationToken);
            using var health = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("Healthy", health.RootElement.GetProperty("status").GetString());
            var backends = health.RootElement.GetProperty("checks").EnumerateArray()
                .Where(c => c.TryGetProperty("data", out var data) && data.TryGetProperty("backend", out _))
                .ToDictionary(c => c.GetProperty("name").GetString()!, c => c.GetProperty("data").GetProperty("backend").GetString());
            Assert.Equal("sqlite", backends["relational"]);
            Assert.Equal("in-process", backends["queue"]);
            Assert.Equal("in-process", backends["counters"]);
            Assert.Equal("local-directory", backends["blob"]);
            Assert.Equal("chdb", backends["trace"]);

            process.Signal(PosixSignal.SIGINT);
            var exitCode = await process.WaitForExitAsync(TimeSpan.FromSeconds(20));

            Assert.Equal(0, exitCode);
            Assert.Contains("Application is shutting down", process.Output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task First_start_generates_credentials_that_work_and_the_next_start_reuses_them()
    {
        string publicKey, secretKey;
        var (first, baseAddress) = await StandaloneProcess.StartAsync(_data.Path, NoGivenCredentials);
        await using (first)
        {
            var stored = await StoredCredentialsAsync();
            publicKey = stored.GetProperty("projectPublicKey").GetString()!;
            secretKey = stored.GetProperty("projectSecretKey").GetString()!;
            var masterKey = stored.GetProperty("masterKey").GetString()!;

            Assert.StartsWith("pk-lf-", publicKey, StringComparison.Ordinal);
            Assert.StartsWith("sk-lf-", secretKey, StringComparison.Ordinal);
            Assert.StartsWith("sk-", masterKey, StringComparison.Ordinal);
            Assert.Contains(secretKey, first.Output, StringComparison.Ordinal);
            Assert.Contains(masterKey, first.Output, StringComparison.Ordinal);
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(_data.Path, "credentials.json")));
            Assert.Equal(HttpStatusCode.OK, (await GetProjectsAsync(baseAddress, publicKey, secretKey)).StatusCode);

            first.Signal(PosixSignal.SIGINT);
            Assert.Equal(0, await first.WaitForExitAsync(TimeSpan.FromSeconds(20)));
        }

        var (second, secondAddress) = await StandaloneProcess.StartAsync(_data.Path, NoGivenCredentials);
        await using (second)
        {
            Assert.Contains(publicKey, second.Output, StringComparison.Ordinal);
            Assert.DoesNotContain(secretKey, second.Output, StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.OK, (await GetProjectsAsync(secondAddress, publicKey, secretKey)).StatusCode);
        }
    }

    [Fact]
    public async Task Given_credentials_are_used_and_never_written_to_the_credentials_file()
    {
        var given = new Dictionary<string, string?>(NoGivenCredentials)
        {
            ["LITELLM_MASTER_KEY"] = "sk-given-master-key-123",
            ["LANGFUSE_INIT_PROJECT_PUBLIC_KEY"] = "pk-lf-given",
            ["LANGFUSE_INIT_PROJECT_SECRET_KEY"] = "sk-lf-given-secret-0123456789",
        };

        var (process, baseAddress) = await StandaloneProcess.StartAsync(_data.Path, given);
        await using (process)
        {
            Assert.Equal(HttpStatusCode.OK, (await GetProjectsAsync(baseAddress, "pk-lf-given", "sk-lf-given-secret-0123456789")).StatusCode);
            var file = await File.ReadAllTextAsync(Path.Combine(_data.Path, "credentials.json"), TestContext.Current.CancellationToken);
            Assert.DoesNotContain("sk-given-master-key-123", file, StringComparison.Ordinal);
            Assert.DoesNotContain("sk-lf-given-secret-0123456789", file, StringComparison.Ordinal);
            Assert.DoesNotContain("sk-given-master-key-123", process.Output, StringComparison.Ordinal);
            Assert.DoesNotContain("sk-lf-given-secret-0123456789", process.Output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Without_a_gateway_config_a_mock_model_answers_with_the_generated_master_key()
    {
        var (process, baseAddress) = await StandaloneProcess.StartAsync(_data.Path, NoGivenCredentials);
        await using (process)
        {
            var stored = await StoredCredentialsAsync();
            using var response = await ChatAsync(baseAddress, stored, "{\"model\":\"mock-echo\",\"messages\":[{\"role\":\"user\",\"content\":\"is anyone there?\"}]}");
            using var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("is anyone there?", answer.RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
            Assert.Contains("OpenAI base URL:", process.Output, StringComparison.Ordinal);
            Assert.Contains("gateway-config.yaml", process.Output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Every_gateway_call_becomes_a_trace_readable_through_the_public_api()
    {
        var (process, baseAddress) = await StandaloneProcess.StartAsync(_data.Path, NoGivenCredentials);
        await using (process)
        {
            var stored = await StoredCredentialsAsync();
            using var response = await ChatAsync(baseAddress, stored, "{\"model\":\"mock-echo\",\"user\":\"end-user-9\",\"messages\":[{\"role\":\"user\",\"content\":\"trace me\"}]}");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);

            JsonElement trace = default;
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (DateTime.UtcNow < deadline)
            {
                var list = new HttpRequestMessage(HttpMethod.Get, new Uri(baseAddress, "/api/public/traces?userId=end-user-9"));
                list.Headers.Authorization = Basic(stored.GetProperty("projectPublicKey").GetString()!, stored.GetProperty("projectSecretKey").GetString()!);
                using var listed = JsonDocument.Parse(await (await _client.SendAsync(list, TestContext.Current.CancellationToken)).Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
                if (listed.RootElement.GetProperty("data").GetArrayLength() > 0 && listed.RootElement.GetProperty("data")[0].GetProperty("observations").GetArrayLength() > 0)
                {
                    trace = listed.RootElement.GetProperty("data")[0].Clone();
                    break;
                }

                await Task.Delay(200, TestContext.Current.CancellationToken);
            }

            Assert.Equal(JsonValueKind.Object, trace.ValueKind);
            Assert.Equal("gateway ChatCompletions", trace.GetProperty("name").GetString());
            Assert.Equal("mock-echo", trace.GetProperty("metadata").GetProperty("requested_model").GetString());
            Assert.Equal("200", trace.GetProperty("metadata").GetProperty("status").ToString());
            Assert.DoesNotContain(stored.GetProperty("masterKey").GetString()!, trace.GetRawText(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_traced_call_carries_its_fallback_attempts_parameters_time_to_first_token_and_environment_through_the_public_api()
    {
        var config = Path.Combine(_data.Path, "fallback-config.yaml");
        await File.WriteAllTextAsync(config, """
            model_list:
              - model_name: flaky
                litellm_params: {model: mock/flaky, mock_error_status: 503}
              - model_name: steady
                litellm_params: {model: mock/steady, mock_chunk_delay_ms: 5}
            router_settings:
              num_retries: 0
              fallbacks: [{"flaky": ["steady"]}]
            """, TestContext.Current.CancellationToken);
        var environment = new Dictionary<string, string?>(NoGivenCredentials)
        {
            ["CONFIG_FILE_PATH"] = config,
            ["LANGFUSE_TRACING_ENVIRONMENT"] = "staging",
        };
        var (process, baseAddress) = await StandaloneProcess.StartAsync(_data.Path, environment);
        await using (process)
        {
            var stored = await StoredCredentialsAsync();
            using var response = await ChatAsync(baseAddress, stored,
                """{"model":"flaky","user":"end-user-fallback","stream":true,"temperature":0.3,"max_tokens":40,"stop":["\n\n"],"messages":[{"role":"user","content":"one two three"}]}""");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

            var listed = await PollAsync(baseAddress, stored, "/api/public/traces?userId=end-user-fallback&environment=staging",
                page => page.GetProperty("data").GetArrayLength() > 0 && page.GetProperty("data")[0].GetProperty("observations").GetArrayLength() == 2);
            var traceId = listed.GetProperty("data")[0].GetProperty("id").GetString()!;
            var trace = await PollAsync(baseAddress, stored, $"/api/public/traces/{traceId}", _ => true);

            Assert.Equal("staging", trace.GetProperty("environment").GetString());
            var observations = trace.GetProperty("observations").EnumerateArray().ToList();
            var attempt = observations.Single(o => o.GetProperty("type").GetString() == "SPAN");
            var generation = observations.Single(o => o.GetProperty("type").GetString() == "GENERATION");
            Assert.Equal("attempt 1: flaky", attempt.GetProperty("name").GetString());
            Assert.Equal(("WARNING", "staging"), (attempt.GetProperty("level").GetString(), attempt.GetProperty("environment").GetString()));
            Assert.Equal("503", attempt.GetProperty("metadata").GetProperty("status").ToString());
            Assert.Equal("steady", generation.GetProperty("metadata").GetProperty("deployment").GetString());
            Assert.Equal("staging", generation.GetProperty("environment").GetString());
            var parameters = generation.GetProperty("modelParameters");
            Assert.Equal((0.3, 40, "\n\n"), (parameters.GetProperty("temperature").GetDouble(), parameters.GetProperty("max_tokens").GetInt32(), parameters.GetProperty("stop")[0].GetString()));
            var start = generation.GetProperty("startTime").GetDateTime();
            var firstToken = generation.GetProperty("completionStartTime").GetDateTime();
            Assert.InRange(firstToken, start, generation.GetProperty("endTime").GetDateTime());
            Assert.True(attempt.GetProperty("endTime").GetDateTime() <= start, "the answering attempt starts after the failed one ended");
            Assert.True(generation.GetProperty("timeToFirstToken").GetDouble() >= 0);
        }
    }

    private async Task<JsonElement> PollAsync(Uri baseAddress, JsonElement stored, string path, Func<JsonElement, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            var request = new HttpRequestMessage(HttpMethod.Get, new Uri(baseAddress, path));
            request.Headers.Authorization = Basic(stored.GetProperty("projectPublicKey").GetString()!, stored.GetProperty("projectSecretKey").GetString()!);
            using var response = await _client.SendAsync(request, TestContext.Current.CancellationToken);
            if (response.IsSuccessStatusCode)
            {
                using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
                if (done(body.RootElement) || DateTime.UtcNow > deadline)
                {
                    return body.RootElement.Clone();
                }
            }
            else if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"GET {path} answered {(int)response.StatusCode}");
            }

            await Task.Delay(200, TestContext.Current.CancellationToken);
        }
    }

    private Task<HttpResponseMessage> GetProjectsAsync(Uri baseAddress, string publicKey, string secretKey)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, new Uri(baseAddress, "/api/public/projects"));
        request.Headers.Authorization = Basic(publicKey, secretKey);
        return _client.SendAsync(request, TestContext.Current.CancellationToken);
    }

    private async Task<JsonElement> StoredCredentialsAsync() =>
        JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(_data.Path, "credentials.json"), TestContext.Current.CancellationToken)).RootElement;

    private Task<HttpResponseMessage> ChatAsync(Uri baseAddress, JsonElement stored, string json)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(baseAddress, "/v1/chat/completions"))
        {
            Content = new StringContent(json, Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", stored.GetProperty("masterKey").GetString());
        return _client.SendAsync(request, TestContext.Current.CancellationToken);
    }

    private static AuthenticationHeaderValue Basic(string publicKey, string secretKey) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{publicKey}:{secretKey}")));

    public void Dispose()
    {
        _client.Dispose();
        _data.Dispose();
    }
}
