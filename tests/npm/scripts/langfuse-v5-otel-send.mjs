// Sends one trace the way applications instrumented with the Langfuse JS SDK v5 do: OpenTelemetry spans
// exported by LangfuseSpanProcessor over OTLP/HTTP. Env as langfuse-v3-send.mjs. Prints the trace id as JSON.
import { NodeTracerProvider } from "@opentelemetry/sdk-trace-node";
import { LangfuseSpanProcessor } from "@langfuse/otel";
import { propagateAttributes, startActiveObservation, startObservation } from "@langfuse/tracing";

const processor = new LangfuseSpanProcessor({
  baseUrl: process.env.LANGFUSE_BASEURL,
  publicKey: process.env.LANGFUSE_PUBLIC_KEY,
  secretKey: process.env.LANGFUSE_SECRET_KEY,
  exportMode: "immediate",
});
const provider = new NodeTracerProvider({ spanProcessors: [processor] });
provider.register();

let traceId;
await propagateAttributes({ userId: "user-5", sessionId: "session-v5", tags: ["sdk-v5"] }, () =>
  startActiveObservation("agent-run", async (span) => {
    traceId = span.traceId;
    span.update({ input: { task: "summarise" } });
    const generation = startObservation(
      "summarise-call",
      { model: "claude-sonnet-4-20250514", input: [{ role: "user", content: "Summarise this." }], modelParameters: { temperature: 0 } },
      { asType: "generation" },
    );
    generation.update({ output: { role: "assistant", content: "A summary." }, usageDetails: { input: 300, output: 40 } }).end();
    const tool = startObservation("search", { input: { q: "docs" } }, { asType: "tool" });
    tool.update({ output: { hits: 3 } }).end();
    span.update({ output: { summary: "A summary." } });
  }),
);

await processor.forceFlush();
await provider.shutdown();
console.log(JSON.stringify({ traceId }));
