// Sends one trace the way applications instrumented with the Langfuse JS SDK v3 do.
// Env: LANGFUSE_BASEURL, LANGFUSE_PUBLIC_KEY, LANGFUSE_SECRET_KEY, TRACE_ID. Prints the ids it used as JSON.
import { Langfuse } from "langfuse";

const langfuse = new Langfuse({
  baseUrl: process.env.LANGFUSE_BASEURL,
  publicKey: process.env.LANGFUSE_PUBLIC_KEY,
  secretKey: process.env.LANGFUSE_SECRET_KEY,
  flushAt: 100,
});
const failures = [];
langfuse.on("error", (error) => failures.push(String(error)));

const trace = langfuse.trace({
  id: process.env.TRACE_ID,
  name: "support-question",
  userId: "user-42",
  sessionId: "session-7",
  tags: ["sdk-v3", "eu"],
  metadata: { plan: "pro" },
  input: { question: "Can I get a refund?" },
});
const retrieval = trace.span({ name: "retrieve-policy", input: { query: "refund" } });
const generation = retrieval.generation({
  name: "answer",
  model: "gpt-4o-mini",
  modelParameters: { temperature: 0.2, max_tokens: 200 },
  input: [{ role: "user", content: "Can I get a refund?" }],
});
generation.end({ output: { role: "assistant", content: "Yes, within 30 days." }, usageDetails: { input: 1200, output: 80 } });
retrieval.end({ output: { documents: 2 } });
trace.update({ output: { answer: "Yes, within 30 days." } });
trace.score({ name: "helpfulness", value: 0.9, comment: "clear" });
trace.event({ name: "cache-miss", level: "WARNING" });

await langfuse.flushAsync();
await langfuse.shutdownAsync();
if (failures.length > 0) {
  console.error(failures.join("\n"));
  process.exit(1);
}
console.log(JSON.stringify({ traceId: trace.id, spanId: retrieval.id, generationId: generation.id }));
