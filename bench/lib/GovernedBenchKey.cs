using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

/// <summary>
/// The virtual key the gateway benchmarks call with to pay for governance: a budget over 30 days (the benchmark model
/// is priced, so every call reserves and settles a cost), rpm, tpm and parallel limits, all far above what a run
/// reaches, so each is counted on every call and none refuses one. Compiled into each benchmark that needs it.
/// </summary>
internal static class GovernedBenchKey
{
    /// <param name="models">The models the key may call: <c>bench</c> when none are given.</param>
    public static async Task<string> GenerateAsync(HttpClient client, Uri gateway, string masterKey, params string[] models)
    {
        using var generate = new HttpRequestMessage(HttpMethod.Post, new Uri(gateway, "/key/generate"))
        {
            Content = JsonContent.Create(new JsonObject
            {
                ["max_budget"] = 1_000_000, ["budget_duration"] = "30d", ["rpm_limit"] = 1_000_000, ["tpm_limit"] = 1_000_000_000,
                ["max_parallel_requests"] = 100_000, ["models"] = new JsonArray([.. (models.Length > 0 ? models : ["bench"]).Select(m => (JsonNode)m)]),
            }),
        };
        generate.Headers.Authorization = new AuthenticationHeaderValue("Bearer", masterKey);
        using var response = await client.SendAsync(generate);
        var text = await response.Content.ReadAsStringAsync();
        return response.IsSuccessStatusCode
            ? JsonNode.Parse(text)!["key"]!.GetValue<string>()
            : throw new InvalidOperationException($"/key/generate answered {(int)response.StatusCode}: {text}");
    }
}
