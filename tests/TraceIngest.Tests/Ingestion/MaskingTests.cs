using System.Net;
using System.Text.Json.Nodes;

namespace TraceIngest.Tests.Ingestion;

public sealed class MaskingTests() : IngestServiceTest("mask")
{
    protected override void Configure(Dictionary<string, string?> settings)
    {
        settings["Ingestion:Masking:Rules:0:Pattern"] = @"[\w.+-]+@[\w-]+\.[\w.]+";
        settings["Ingestion:Masking:Rules:0:Replacement"] = "[EMAIL]";
        settings["Ingestion:Masking:Rules:1:Pattern"] = @"\b\d{4}[ -]?\d{4}[ -]?\d{4}[ -]?\d{4}\b";
        // Exponential on a backtracking engine when a long run of x has no y after it.
        settings["Ingestion:Masking:Rules:2:Pattern"] = "(x+x+)+y";
        settings["Ingestion:Masking:Rules:2:Replacement"] = "[XY]";
        // A backreference, which only the backtracking engine runs.
        settings["Ingestion:Masking:Rules:3:Pattern"] = @"\b(\w+) \1\b";
        settings["Ingestion:Masking:Rules:3:Replacement"] = "[REPEATED]";
    }

    [Fact]
    public async Task A_pattern_that_backtracks_exponentially_masks_what_it_matches_and_nothing_else()
    {
        var noMatch = new string('x', 40);
        var response = await Client.PostBatchAsync(IngestionClient.Event("span-create", new JsonObject
        {
            ["id"] = "s",
            ["input"] = noMatch,
            ["output"] = "before xxxy after",
            ["metadata"] = new JsonObject { ["note"] = "said it it twice" },
        }));
        var reference = Assert.Single(await Client.DrainQueueAsync(TimeSpan.FromSeconds(1)));
        using var stored = await Client.ReadBatchAsync(reference.BlobKey);
        var body = stored.RootElement.GetProperty("events")[0].GetProperty("body");

        Assert.Equal(HttpStatusCode.MultiStatus, response.StatusCode);
        Assert.Equal(noMatch, body.GetProperty("input").GetString());
        Assert.Equal("before [XY] after", body.GetProperty("output").GetString());
        Assert.Equal("said [REPEATED] twice", body.GetProperty("metadata").GetProperty("note").GetString());
    }

    [Fact]
    public async Task Configured_patterns_are_masked_in_input_output_and_metadata_before_storage()
    {
        var response = await Client.PostBatchAsync(IngestionClient.Event("generation-create", new JsonObject
        {
            ["id"] = "g",
            ["name"] = "contact ada@example.com",
            ["input"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "I am ada@example.com, card 4111 1111 1111 1111" }),
            ["output"] = "Charged 4111-1111-1111-1111.",
            ["metadata"] = new JsonObject { ["customer"] = new JsonObject { ["email"] = "ada@example.com" } },
        }));
        var reference = Assert.Single(await Client.DrainQueueAsync(TimeSpan.FromSeconds(1)));
        using var stored = await Client.ReadBatchAsync(reference.BlobKey);
        var body = stored.RootElement.GetProperty("events")[0].GetProperty("body");
        var raw = body.GetRawText();

        Assert.Equal(HttpStatusCode.MultiStatus, response.StatusCode);
        Assert.DoesNotContain("ada@example.com\"", raw.Replace("contact ada@example.com", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.DoesNotContain("4111", raw, StringComparison.Ordinal);
        Assert.Equal("I am [EMAIL], card [REDACTED]", body.GetProperty("input")[0].GetProperty("content").GetString());
        Assert.Equal("Charged [REDACTED].", body.GetProperty("output").GetString());
        Assert.Equal("[EMAIL]", body.GetProperty("metadata").GetProperty("customer").GetProperty("email").GetString());
        Assert.Equal("contact ada@example.com", body.GetProperty("name").GetString());
    }

    [Fact]
    public async Task An_invalid_pattern_stops_start_up()
    {
        var settings = TraceIngestHost.Project("mask2", "pk-lf-mask2", "sk-lf-mask2-0123456789");
        settings["Storage:DataDirectory"] = DataDirectory + "-2";
        settings["Ingestion:Masking:Rules:0:Pattern"] = "(unclosed";

        var failure = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(() => TraceIngestHost.StartAsync(settings));

        Assert.Contains("Ingestion:Masking:Rules", failure.Message, StringComparison.Ordinal);
    }
}
