// Drives the gateway's /v1/messages with the official @anthropic-ai/sdk, unmodified, and prints what it got as JSON.
// Env: GATEWAY_URL (the SDK's baseURL), API_KEY (sent as x-api-key) or AUTH_TOKEN (sent as Authorization: Bearer),
// MODEL, SCENARIO: message | stream | tools | tools-stream | count | error.
import Anthropic from "@anthropic-ai/sdk";

const client = new Anthropic({
  baseURL: process.env.GATEWAY_URL,
  apiKey: process.env.API_KEY ?? null,
  authToken: process.env.AUTH_TOKEN ?? null,
  maxRetries: 0,
  timeout: 20_000,
});
const model = process.env.MODEL;
const weatherTool = {
  name: "get_weather",
  description: "The weather of a city",
  input_schema: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
};

async function run(scenario) {
  switch (scenario) {
    case "message": {
      const message = await client.messages.create({
        model,
        max_tokens: 100,
        system: "Be brief.",
        metadata: { user_id: "sdk-user-1" },
        messages: [{ role: "user", content: "Hello" }],
      });
      return { message };
    }
    case "stream": {
      const stream = client.messages.stream({ model, max_tokens: 100, messages: [{ role: "user", content: "Hello" }] });
      const events = [];
      let text = "";
      stream.on("streamEvent", (event) => events.push(event.type));
      stream.on("text", (delta) => (text += delta));
      const message = await stream.finalMessage();
      return { text, events, message };
    }
    case "tools": {
      const first = await client.messages.create({
        model,
        max_tokens: 200,
        tools: [weatherTool],
        tool_choice: { type: "any" },
        messages: [{ role: "user", content: "Weather in Paris?" }],
      });
      const call = first.content.find((block) => block.type === "tool_use");
      const second = await client.messages.create({
        model,
        max_tokens: 200,
        tools: [weatherTool],
        messages: [
          { role: "user", content: "Weather in Paris?" },
          { role: "assistant", content: first.content },
          { role: "user", content: [{ type: "tool_result", tool_use_id: call.id, content: "18 C and sunny" }] },
        ],
      });
      return { first, second };
    }
    case "tools-stream": {
      const stream = client.messages.stream({ model, max_tokens: 200, tools: [weatherTool], messages: [{ role: "user", content: "Weather in Paris?" }] });
      const events = [];
      let json = "";
      stream.on("streamEvent", (event) => events.push(event.type));
      stream.on("inputJson", (partial) => (json += partial));
      const message = await stream.finalMessage();
      return { events, json, message };
    }
    case "count": {
      const count = await client.messages.countTokens({ model, messages: [{ role: "user", content: "How many tokens is this?" }] });
      return { count };
    }
    case "error": {
      try {
        await client.messages.create({ model, max_tokens: 10, messages: [{ role: "user", content: "x" }] });
        return { error: null };
      } catch (error) {
        return { error: { name: error.constructor.name, status: error.status, body: error.error, requestId: error.requestID ?? null } };
      }
    }
    default:
      throw new Error(`unknown SCENARIO ${scenario}`);
  }
}

console.log(JSON.stringify(await run(process.env.SCENARIO)));
