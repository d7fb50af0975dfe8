// Calls the gateway through the official `openai` npm package, as users' apps do: OpenAI (chat, stream, tools,
// embeddings) against /v1, and AzureOpenAI (chat, stream, embeddings) against the Azure OpenAI routes.
// Env: GATEWAY_URL, GATEWAY_KEY, CHAT_MODEL, EMBEDDING_MODEL, AZURE_CHAT_DEPLOYMENT, AZURE_EMBEDDING_DEPLOYMENT, AZURE_API_VERSION.
// Prints one JSON object with what each call returned and the x-gateway-deployment header it carried.
import OpenAI, { AzureOpenAI } from "openai";

const env = process.env;
const gatewayHeader = (response) => response.headers.get("x-gateway-deployment");
const messages = [{ role: "user", content: "Say hello" }];

const openai = new OpenAI({ baseURL: `${env.GATEWAY_URL}/v1`, apiKey: env.GATEWAY_KEY, maxRetries: 0 });

const chat = await openai.chat.completions.create({ model: env.CHAT_MODEL, messages }).withResponse();

const stream = await openai.chat.completions
  .create({ model: env.CHAT_MODEL, messages, stream: true, stream_options: { include_usage: true } })
  .withResponse();
let streamed = "";
let chunks = 0;
let streamUsage = null;
for await (const chunk of stream.data) {
  chunks++;
  streamed += chunk.choices[0]?.delta?.content ?? "";
  streamUsage = chunk.usage ?? streamUsage;
}

const tools = await openai.chat.completions.create({
  model: env.CHAT_MODEL,
  messages: [{ role: "user", content: "What is the weather in Paris?" }],
  tools: [{ type: "function", function: { name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } } } } }],
});

const embeddings = await openai.embeddings.create({ model: env.EMBEDDING_MODEL, input: ["first", "second"] }).withResponse();

const azure = new AzureOpenAI({ endpoint: env.GATEWAY_URL, apiKey: env.GATEWAY_KEY, apiVersion: env.AZURE_API_VERSION, maxRetries: 0 });
const azureChat = await azure.chat.completions.create({ model: env.AZURE_CHAT_DEPLOYMENT, messages }).withResponse();
const azureStream = await azure.chat.completions.create({ model: env.AZURE_CHAT_DEPLOYMENT, messages, stream: true });
let azureStreamed = "";
for await (const chunk of azureStream) {
  azureStreamed += chunk.choices[0]?.delta?.content ?? "";
}
const azureEmbeddings = await azure.embeddings.create({ model: env.AZURE_EMBEDDING_DEPLOYMENT, input: "one" });

let unknown = null;
try {
  await openai.chat.completions.create({ model: "no-such-model", messages });
} catch (error) {
  unknown = { status: error.status, code: error.code, type: error.type };
}

console.log(JSON.stringify({
  chat: { text: chat.data.choices[0].message.content, usage: chat.data.usage, deployment: gatewayHeader(chat.response) },
  stream: { text: streamed, chunks, usage: streamUsage, deployment: gatewayHeader(stream.response) },
  tools: { finish: tools.choices[0].finish_reason, call: tools.choices[0].message.tool_calls?.[0]?.function },
  embeddings: { count: embeddings.data.data.length, dimensions: embeddings.data.data[0].embedding.length, first: embeddings.data.data[0].embedding, deployment: gatewayHeader(embeddings.response) },
  azure: {
    text: azureChat.data.choices[0].message.content,
    deployment: gatewayHeader(azureChat.response),
    streamed: azureStreamed,
    embeddingDimensions: azureEmbeddings.data[0].embedding.length,
  },
  unknown,
}));
