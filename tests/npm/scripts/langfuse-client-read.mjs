// Reads a trace back through the official @langfuse/client (v5), retrying until it is complete or 10 s pass.
// Env: LANGFUSE_BASEURL, LANGFUSE_PUBLIC_KEY, LANGFUSE_SECRET_KEY, TRACE_ID, MIN_OBSERVATIONS, COMPLETE_WITH_OUTPUT_AND_SCORE (default 1),
// TRACE_NAME (optional: the trace is complete only once it has this name).
// Prints {elapsedMs, trace, list, observations, sessions} as JSON.
import { LangfuseClient } from "@langfuse/client";

const langfuse = new LangfuseClient({
  baseUrl: process.env.LANGFUSE_BASEURL,
  publicKey: process.env.LANGFUSE_PUBLIC_KEY,
  secretKey: process.env.LANGFUSE_SECRET_KEY,
});
const traceId = process.env.TRACE_ID;
const minObservations = Number(process.env.MIN_OBSERVATIONS ?? "1");
const requireOutputAndScore = (process.env.COMPLETE_WITH_OUTPUT_AND_SCORE ?? "1") !== "0";
// The worker writes a round's traces and observations side by side, so for a moment a trace's last observations can
// be visible before the trace row of the same round (e.g. an OTLP root span exported after its children).
const traceName = process.env.TRACE_NAME;
const started = Date.now();

let trace;
while (Date.now() - started < 10_000) {
  try {
    trace = await langfuse.api.trace.get(traceId);
    const complete = (!requireOutputAndScore || (trace.output != null && trace.scores.length > 0)) && (traceName === undefined || trace.name === traceName);
    if (complete && trace.observations.length >= minObservations) break;
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
