// Exports one GenAI span tree with the plain OpenTelemetry JS SDK and its OTLP/HTTP protobuf exporter (no
// Langfuse code). Env: LANGFUSE_BASEURL, LANGFUSE_PUBLIC_KEY, LANGFUSE_SECRET_KEY. Prints the trace id as JSON.
import { BasicTracerProvider, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-proto";

const auth = Buffer.from(`${process.env.LANGFUSE_PUBLIC_KEY}:${process.env.LANGFUSE_SECRET_KEY}`).toString("base64");
const exporter = new OTLPTraceExporter({
  url: `${process.env.LANGFUSE_BASEURL}/api/public/otel/v1/traces`,
  headers: { Authorization: `Basic ${auth}` },
});
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
const tracer = provider.getTracer("otlp-proto-test", "1.0.0");

const root = tracer.startSpan("rag-pipeline");
const traceId = root.spanContext().traceId;
root.setAttribute("user.id", "proto-user");
const { trace, context } = await import("@opentelemetry/api");
const chat = tracer.startSpan("chat gpt-4o-mini", {
  attributes: {
    "gen_ai.operation.name": "chat",
    "gen_ai.request.model": "gpt-4o-mini",
    "gen_ai.usage.input_tokens": 2000,
    "gen_ai.usage.output_tokens": 500,
    "gen_ai.input.messages": JSON.stringify([{ role: "user", content: "What changed?" }]),
  },
}, trace.setSpan(context.active(), root));
chat.end();
root.end();

await provider.forceFlush();
await provider.shutdown();
console.log(JSON.stringify({ traceId }));
