using System.Text.Json.Nodes;

namespace TraceUi.Tests;

/// <summary>
/// The traces the UI tests look at: a support-bot conversation with nested observations (a span holding a retrieval
/// and a gpt-4o generation), a batch of simple traces to filter, and a trace whose input and output are markup.
/// </summary>
internal static class SeededTraces
{
    public const string NestedTraceId = "trace-nested";
    public const string GenerationId = "gen-answer";
    public const string HostileTraceId = "trace-hostile";

    /// <summary>gpt-4o at $2.50 / $10 per million tokens: 1,000 input and 200 output tokens.</summary>
    public const string GenerationCost = "$0.004500";

    public const string Script = "<script>alert(1)</script>";
    public const string Image = "<img src=x onerror=\"document.title='pwned'\">";

    public static async Task SeedAsync(TraceSeeder seeder)
    {
        var start = DateTime.UtcNow.AddMinutes(-30);
        await seeder.SendAsync(
            TraceSeeder.Event("trace-create", new JsonObject
            {
                ["id"] = NestedTraceId, ["name"] = "support-chat", ["userId"] = "alice", ["sessionId"] = "session-42", ["timestamp"] = TraceSeeder.Time(start),
                ["tags"] = new JsonArray("support", "prod"), ["environment"] = "production", ["metadata"] = new JsonObject { ["tenant"] = "acme-eu" },
                ["input"] = new JsonObject { ["question"] = "Where is my order?" }, ["output"] = "It ships tomorrow.",
            }),
            TraceSeeder.Event("span-create", new JsonObject
            {
                ["id"] = "span-pipeline", ["traceId"] = NestedTraceId, ["name"] = "answer-pipeline", ["startTime"] = TraceSeeder.Time(start), ["endTime"] = TraceSeeder.Time(start.AddSeconds(3)),
            }),
            TraceSeeder.Event("span-create", new JsonObject
            {
                ["id"] = "span-retrieve", ["traceId"] = NestedTraceId, ["parentObservationId"] = "span-pipeline", ["name"] = "retrieve-orders",
                ["startTime"] = TraceSeeder.Time(start.AddMilliseconds(100)), ["endTime"] = TraceSeeder.Time(start.AddMilliseconds(600)),
                ["output"] = new JsonArray(new JsonObject { ["order"] = 1001, ["status"] = "packed" }),
            }),
            TraceSeeder.Event("generation-create", new JsonObject
            {
                ["id"] = GenerationId, ["traceId"] = NestedTraceId, ["parentObservationId"] = "span-pipeline", ["name"] = "compose-answer", ["model"] = "gpt-4o",
                ["modelParameters"] = new JsonObject { ["temperature"] = 0.2 },
                ["startTime"] = TraceSeeder.Time(start.AddMilliseconds(700)), ["completionStartTime"] = TraceSeeder.Time(start.AddMilliseconds(1100)),
                ["endTime"] = TraceSeeder.Time(start.AddMilliseconds(2900)),
                ["input"] = new JsonArray(
                    new JsonObject { ["role"] = "system", ["content"] = "You are a helpful support agent." },
                    new JsonObject { ["role"] = "user", ["content"] = "Where is my order?" }),
                ["output"] = new JsonObject { ["role"] = "assistant", ["content"] = "It ships tomorrow." },
                ["usageDetails"] = new JsonObject { ["input"] = 1000, ["output"] = 200 },
            }),
            TraceSeeder.Event("score-create", new JsonObject
            {
                ["id"] = "score-helpful", ["traceId"] = NestedTraceId, ["observationId"] = GenerationId, ["name"] = "helpfulness", ["value"] = 0.9,
            }));

        var batch = new List<JsonObject>();
        for (var i = 0; i < 6; i++)
        {
            var id = $"trace-batch-{i}";
            batch.Add(TraceSeeder.Event("trace-create", new JsonObject
            {
                ["id"] = id, ["name"] = i % 2 == 0 ? "checkout" : "search", ["userId"] = i % 3 == 0 ? "bob" : "carol",
                ["timestamp"] = TraceSeeder.Time(start.AddMinutes(i + 1)), ["tags"] = new JsonArray(i % 2 == 0 ? "payments" : "catalog"),
            }));
            batch.Add(TraceSeeder.Event("generation-create", new JsonObject
            {
                ["id"] = $"{id}-gen", ["traceId"] = id, ["name"] = "llm", ["model"] = i % 2 == 0 ? "gpt-4o-mini" : "claude-sonnet-4-5",
                ["startTime"] = TraceSeeder.Time(start.AddMinutes(i + 1)), ["endTime"] = TraceSeeder.Time(start.AddMinutes(i + 1).AddMilliseconds(400 + i * 100)),
                ["usageDetails"] = new JsonObject { ["input"] = 500, ["output"] = 50 }, ["level"] = i == 5 ? "ERROR" : "DEFAULT",
                ["statusMessage"] = i == 5 ? "upstream timed out" : null,
            }));
        }

        await seeder.SendAsync([.. batch]);

        await seeder.SendAsync(
            TraceSeeder.Event("trace-create", new JsonObject
            {
                ["id"] = HostileTraceId, ["name"] = "hostile " + Image, ["userId"] = Script, ["timestamp"] = TraceSeeder.Time(start.AddMinutes(10)),
                ["input"] = $"{Script} and {Image}", ["output"] = new JsonObject { ["html"] = Image, ["role"] = Script },
                ["metadata"] = new JsonObject { [Script] = Image },
            }),
            TraceSeeder.Event("generation-create", new JsonObject
            {
                ["id"] = "gen-hostile", ["traceId"] = HostileTraceId, ["name"] = Script, ["model"] = "gpt-4o",
                ["startTime"] = TraceSeeder.Time(start.AddMinutes(10)), ["endTime"] = TraceSeeder.Time(start.AddMinutes(10).AddSeconds(1)),
                ["input"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = Script + Image }),
                ["output"] = Image, ["statusMessage"] = Script,
            }));

        await seeder.WaitForTraceAsync(NestedTraceId, 3);
        for (var i = 0; i < 6; i++)
        {
            await seeder.WaitForTraceAsync($"trace-batch-{i}", 1);
        }

        await seeder.WaitForTraceAsync(HostileTraceId, 1);
    }
}
