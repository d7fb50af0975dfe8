using System.Globalization;
using System.Text;

/// <summary>
/// Request bodies for one client's n-th request, built as text (not JSON nodes): the client shares the cores with
/// the service and should cost it little. Each holds <c>eventsPerBatch / 2</c> traces with one generation each.
/// </summary>
internal sealed class IngestionPayloads(int eventsPerBatch, bool otlp)
{
    public string Path => otlp ? "/api/public/otel/v1/traces" : "/api/public/ingestion";

    /// <summary>Rows a request adds to the observations table.</summary>
    public int ObservationsPerRequest => otlp ? eventsPerBatch : eventsPerBatch / 2;

    /// <summary>The id of the request's last observation, polled for to measure lag.</summary>
    public string LastObservationId(int client, int sequence) =>
        otlp ? SpanId(client, sequence, eventsPerBatch / 2 - 1, generation: true) : $"g-{client}-{sequence}-{eventsPerBatch / 2 - 1}";

    public string Body(int client, int sequence) => otlp ? Otlp(client, sequence) : Langfuse(client, sequence);

    private string Langfuse(int client, int sequence)
    {
        var now = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture);
        var batch = new StringBuilder(eventsPerBatch * 420).Append("""{"batch":[""");
        for (var i = 0; i < eventsPerBatch / 2; i++)
        {
            var traceId = $"t-{client}-{sequence}-{i}";
            batch.Append(i == 0 ? "" : ",")
                .Append($$$"""{"id":"{{{Guid.NewGuid()}}}","timestamp":"{{{now}}}","type":"trace-create","body":{"id":"{{{traceId}}}","name":"bench","userId":"u-{{{i % 10}}}","input":"What is the refund policy for annual plans?"}},""")
                .Append($$$"""{"id":"{{{Guid.NewGuid()}}}","timestamp":"{{{now}}}","type":"generation-create","body":{"id":"g-{{{client}}}-{{{sequence}}}-{{{i}}}","traceId":"{{{traceId}}}","model":"gpt-4o-mini","startTime":"{{{now}}}","endTime":"{{{now}}}","usageDetails":{"input":420,"output":64},"output":"Annual plans can be refunded within 30 days."}}""");
        }

        return batch.Append("]}").ToString();
    }

    /// <summary>OTLP/JSON: per trace a root span (the request) and a child GenAI span (the model call).</summary>
    private string Otlp(int client, int sequence)
    {
        var nanos = (DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000).ToString(CultureInfo.InvariantCulture);
        var spans = new StringBuilder(eventsPerBatch * 520);
        for (var i = 0; i < eventsPerBatch / 2; i++)
        {
            var traceId = $"{client:x8}{sequence:x16}{i:x8}";
            var root = SpanId(client, sequence, i, generation: false);
            spans.Append(i == 0 ? "" : ",")
                .Append($$$"""{"traceId":"{{{traceId}}}","spanId":"{{{root}}}","name":"bench","kind":2,"startTimeUnixNano":"{{{nanos}}}","endTimeUnixNano":"{{{nanos}}}","attributes":[{"key":"langfuse.user.id","value":{"stringValue":"u-{{{i % 10}}}"}},{"key":"input.value","value":{"stringValue":"What is the refund policy for annual plans?"}}]},""")
                .Append($$$"""{"traceId":"{{{traceId}}}","spanId":"{{{SpanId(client, sequence, i, generation: true)}}}","parentSpanId":"{{{root}}}","name":"chat gpt-4o-mini","kind":3,"startTimeUnixNano":"{{{nanos}}}","endTimeUnixNano":"{{{nanos}}}","attributes":[{"key":"gen_ai.operation.name","value":{"stringValue":"chat"}},{"key":"gen_ai.request.model","value":{"stringValue":"gpt-4o-mini"}},{"key":"gen_ai.usage.input_tokens","value":{"intValue":"420"}},{"key":"gen_ai.usage.output_tokens","value":{"intValue":"64"}}]}""");
        }

        return $$$"""{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"bench"}}]},"scopeSpans":[{"scope":{"name":"bench"},"spans":[{{{spans}}}]}]}]}""";
    }

    private static string SpanId(int client, int sequence, int i, bool generation) =>
        $"{(client << 1) | (generation ? 1 : 0):x2}{sequence:x8}{i:x6}";
}
