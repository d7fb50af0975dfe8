// Reads a trace back through the official @langfuse/client (v5), retrying until it is complete or 10 s pass.
// Env: LANGFUSE_BASEURL, LANGFUSE_PUBLIC_KEY, LANGFUSE_SECRET_KEY, TRACE_ID, MIN_OBSERVATIONS.
// Prints {elapsedMs, trace, list, observations, sessions} as JSON.
import { LangfuseClient } from "@langfuse/client";

const langfuse = new LangfuseClient({
  baseUrl: process.env.LANGFUSE_BASEURL,
  publicKey: process.env.LANGFUSE_PUBLIC_KEY,
  secretKey: process.env.LANGFUSE_SECRET_KEY,
});
const traceId = process.env.TRACE_ID;
const minObservations = Number(process.env.MIN_OBSERVATIONS ?? "1");
const started = Date.now();

let trace;
while (Date.now() - started < 10_000) {
  try {
    trace = await langfuse.api.trace.get(traceId);
    if (trace.output != null && trace.observations.length >= minObservations && trace.scores.length > 0) break;
  } catch (error) {
    if (error?.statusCode !== 404) throw error;
  }
  await new Promise((resolve) => setTimeout(resolve, 100));
}
const elapsedMs = Date.now() - started;
const list = await langfuse.api.trace.list({ userId: trace?.userId ?? "none", limit: 10 });
const observations = await langfuse.api.legacy.observationsV1.getMany({ traceId, limit: 50 });
const sessions = await langfuse.api.sessions.list({ limit: 10 });
console.log(JSON.stringify({ elapsedMs, trace, list, observations, sessions }));
