using System.Text.Json;
using Storage.Pricing;
using TraceIngest.Ingestion;
using TraceIngest.Worker;

namespace TraceIngest.Tests.Worker;

public sealed class IngestionEventMergerTests
{
    private static readonly IngestionEventMerger Merger = new(ModelPriceTable.LoadDefaults());
    private static readonly DateTime Now = new(2026, 11, 23, 12, 0, 0, DateTimeKind.Utc);

    private static StoredEvent Event(string type, string body, string at = "2026-11-23T10:00:00Z", string? id = null) =>
        new(id ?? Guid.NewGuid().ToString(), IngestionEventType.Find(type)!, DateTimeOffset.Parse(at, System.Globalization.CultureInfo.InvariantCulture), "x", JsonDocument.Parse(body).RootElement);

    [Fact]
    public void Later_events_overwrite_what_they_carry_and_identity_fields_keep_their_first_value()
    {
        var first = Merger.MergeTrace(null, "p", "t", [Event("trace-create", """{"id":"t","name":"a","timestamp":"2026-11-23T09:00:00Z","environment":"Prod","userId":"u1","tags":["x"],"metadata":{"k":"1"}}""")], Now);
        var second = Merger.MergeTrace(first, "p", "t", [Event("trace-create", """{"id":"t","name":"b","timestamp":"2026-11-23T11:00:00Z","environment":"dev","tags":["y"],"metadata":{"j":{"deep":true}},"output":{"answer":42}}""", "2026-11-23T10:05:00Z")], Now.AddMinutes(1));

        Assert.Equal(("b", "u1", "prod"), (second.Name, second.UserId, second.Environment));
        Assert.Equal(new DateTime(2026, 11, 23, 9, 0, 0, DateTimeKind.Utc), second.Timestamp);
        Assert.Equal(["x", "y"], second.Tags);
        Assert.Equal("1", second.Metadata["k"]);
        Assert.Equal("""{"deep":true}""", second.Metadata["j"]);
        Assert.Equal("""{"answer":42}""", second.Output);
        Assert.Equal(Now.AddMinutes(1), second.EventTs);
    }

    [Fact]
    public void Merging_the_same_events_again_gives_the_same_row()
    {
        StoredEvent[] events =
        [
            Event("generation-update", """{"id":"g","output":"done","endTime":"2026-11-23T10:00:02Z"}""", "2026-11-23T10:00:02Z"),
            Event("generation-create", """{"id":"g","traceId":"t","name":"llm","model":"gpt-4o","startTime":"2026-11-23T10:00:00Z","usageDetails":{"input":100,"output":50}}"""),
        ];

        var once = Merger.MergeObservation(null, "p", "g", events, [], Now);
        var twice = Merger.MergeObservation(once, "p", "g", events, [], Now);

        Assert.Equal(JsonSerializer.Serialize(once), JsonSerializer.Serialize(twice));
        Assert.Equal(("GENERATION", "t", "done"), (once.Type, once.TraceId, once.Output));
    }

    [Fact]
    public void Generation_cost_comes_from_the_price_table_unless_the_client_gave_one()
    {
        var priced = Merger.MergeObservation(null, "p", "g", [Event("generation-create", """{"id":"g","model":"gpt-4o-mini","usageDetails":{"input":1000000,"output":1000000}}""")], [], Now);
        var given = Merger.MergeObservation(null, "p", "g2", [Event("generation-create", """{"id":"g2","model":"gpt-4o-mini","usageDetails":{"input":1000000},"costDetails":{"input":9}}""")], [], Now);
        var unknown = Merger.MergeObservation(null, "p", "g3", [Event("generation-create", """{"id":"g3","model":"in-house-llm","usageDetails":{"input":10}}""")], [], Now);

        Assert.Equal(0.75, priced.TotalCost!.Value, 9);
        Assert.Equal(9, given.TotalCost);
        Assert.Null(unknown.TotalCost);
        Assert.Equal(2_000_000UL, priced.UsageDetails["total"]);
    }

    [Fact]
    public void OpenAI_usage_objects_are_flattened_and_their_details_taken_out_of_input_and_output()
    {
        var row = Merger.MergeObservation(null, "p", "g", [Event("generation-create", """
            {"id":"g","model":"o4-mini","usageDetails":{"prompt_tokens":1000,"completion_tokens":400,"total_tokens":1400,
             "prompt_tokens_details":{"cached_tokens":200},"completion_tokens_details":{"reasoning_tokens":300}}}
            """)], [], Now);

        Assert.Equal(800UL, row.UsageDetails["input"]);
        Assert.Equal(200UL, row.UsageDetails["input_cached_tokens"]);
        Assert.Equal(100UL, row.UsageDetails["output"]);
        Assert.Equal(300UL, row.UsageDetails["output_reasoning_tokens"]);
        Assert.Equal(1400UL, row.UsageDetails["total"]);
        Assert.Equal((800 * 1.10 + 200 * 0.275 + 100 * 4.40 + 300 * 4.40) / 1e6, row.TotalCost!.Value, 12);
    }

    [Fact]
    public void Prompt_cache_keys_beside_the_whole_input_as_the_gateway_sends_them_are_taken_out_of_input_once()
    {
        var row = Merger.MergeObservation(null, "p", "g", [Event("generation-create", """
            {"id":"g","model":"claude-opus-4-5","usageDetails":{"input":131,"output":7,"input_cache_read":100,"input_cache_creation":15,"input_cache_creation_1h":5}}
            """)], [], Now);

        Assert.Equal(11UL, row.UsageDetails["input"]);
        Assert.Equal(100UL, row.UsageDetails["input_cache_read"]);
        Assert.Equal(138UL, row.UsageDetails["total"]);
    }

    [Fact]
    public void Legacy_usage_with_its_own_costs_is_understood()
    {
        var row = Merger.MergeObservation(null, "p", "g", [Event("observation-create", """
            {"id":"g","type":"GENERATION","model":"gpt-4o","usage":{"promptTokens":10,"completionTokens":20,"inputCost":0.1,"outputCost":0.2}}
            """)], [], Now);

        Assert.Equal(("GENERATION", 10UL, 20UL, 30UL), (row.Type, row.UsageDetails["input"], row.UsageDetails["output"], row.UsageDetails["total"]));
        Assert.Equal(0.3, row.TotalCost!.Value, 9);
    }

    [Fact]
    public void An_update_before_its_create_takes_the_kind_from_the_create()
    {
        var row = Merger.MergeObservation(null, "p", "s", [Event("span-update", """{"id":"s","output":1}""")], [], Now);
        var merged = Merger.MergeObservation(row, "p", "s", [Event("generation-create", """{"id":"s","model":"gpt-4o"}""")], [], Now);

        Assert.Equal("GENERATION", merged.Type);
    }

    [Theory]
    [InlineData("Production", "production")]
    [InlineData("langfuse-prod", "prod")]
    [InlineData("has space", "default")]
    [InlineData("", "default")]
    [InlineData("a123456789012345678901234567890123456789xyz", "a123456789012345678901234567890123456789")]
    public void Environments_follow_langfuse_normalisation(string given, string expected)
    {
        Assert.Equal(expected, EnvironmentName.Normalize(given));
    }

    [Fact]
    public void Scores_keep_numeric_categorical_and_boolean_values()
    {
        var numeric = IngestionEventMerger.MergeScore(null, "p", "s1", [Event("score-create", """{"name":"q","value":0.5,"traceId":"t"}""")], Now);
        var categorical = IngestionEventMerger.MergeScore(null, "p", "s2", [Event("score-create", """{"name":"tone","value":"polite","traceId":"t"}""")], Now);
        var boolean = IngestionEventMerger.MergeScore(null, "p", "s3", [Event("score-create", """{"name":"ok","value":1,"dataType":"BOOLEAN","traceId":"t"}""")], Now);

        Assert.Equal((0.5, "NUMERIC", null), (numeric.Value, numeric.DataType, numeric.StringValue));
        Assert.Equal(("CATEGORICAL", "polite"), (categorical.DataType, categorical.StringValue));
        Assert.Equal(("BOOLEAN", "True"), (boolean.DataType, boolean.StringValue));
        Assert.Equal("t", numeric.TraceId);
    }
}
