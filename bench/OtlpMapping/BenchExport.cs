using System.Globalization;
using TraceIngest.Tests.Otlp;

/// <summary>
/// One export as an instrumented LLM application sends it: per trace a root span with the Langfuse trace attributes
/// and a GenAI child span with model, parameters, usage and the messages in and out.
/// </summary>
internal static class BenchExport
{
    private const ulong Start = 1_763_892_000_000_000_000;

    public static OtlpExport Create(int tracesPerExport)
    {
        var spans = new List<OtlpTestSpan>();
        for (var i = 0; i < tracesPerExport; i++)
        {
            var traceId = $"{i:x8}0000000000000000{i:x8}";
            var root = $"{i:x8}00000001";
            spans.Add(new OtlpTestSpan(traceId, root, null, "answer-question", 2, Start, Start + 900_000_000,
                [
                    A("langfuse.user.id", $"u-{i % 10}"),
                    A("langfuse.session.id", $"s-{i % 3}"),
                    A("langfuse.trace.tags", new OtlpArray("bench", "eu")),
                    A("input.value", "What is the refund policy for annual plans?"),
                    A("http.route", "/answer"),
                ],
                []));
            spans.Add(new OtlpTestSpan(traceId, $"{i:x8}00000002", root, "chat gpt-4o-mini", 3, Start + 1_000_000, Start + 800_000_000,
                [
                    A("gen_ai.operation.name", "chat"),
                    A("gen_ai.request.model", "gpt-4o-mini"),
                    A("gen_ai.response.model", "gpt-4o-mini-2024-07-18"),
                    A("gen_ai.request.temperature", 0.2),
                    A("gen_ai.usage.input_tokens", 420L),
                    A("gen_ai.usage.output_tokens", 64L),
                    A("gen_ai.input.messages", """[{"role":"user","parts":[{"type":"text","content":"What is the refund policy for annual plans?"}]}]"""),
                    A("gen_ai.output.messages", """[{"role":"assistant","parts":[{"type":"text","content":"Annual plans can be refunded within 30 days."}],"finish_reason":"stop"}]"""),
                    A("server.address", "api.openai.com"),
                ],
                []));
        }

        return new OtlpExport([new OtlpResourceSpans(
            [A("service.name", "support-bot"), A("service.version", "1.4.2"), A("deployment.environment.name", "production"), A("telemetry.sdk.language", "dotnet")],
            "Experimental.Microsoft.Extensions.AI",
            "9.9.0",
            spans)]);
    }

    private static KeyValuePair<string, object?> A(string key, object? value) => KeyValuePair.Create(key, value);
}
