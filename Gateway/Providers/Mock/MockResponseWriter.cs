using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Gateway.Inbound;

namespace Gateway.Providers.Mock;

/// <summary>Writes a mock answer in OpenAI's wire format: a JSON body, or server-sent events ending with <c>[DONE]</c>.</summary>
internal static class MockResponseWriter
{
    private const int DefaultEmbeddingDimensions = 8;
    private static long _sequence;

    public static async Task WriteJsonAsync(HttpResponse response, OpenAiOperation operation, string model, JsonElement request, MockReply reply, long created, CancellationToken cancellationToken)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var json = new Utf8JsonWriter(buffer))
        {
            switch (operation)
            {
                case OpenAiOperation.ChatCompletions:
                    WriteChatCompletion(json, model, reply, created);
                    break;
                case OpenAiOperation.Completions:
                    WriteTextCompletion(json, model, reply, created);
                    break;
                default:
                    WriteEmbeddings(json, model, request);
                    break;
            }
        }

        response.ContentType = "application/json";
        response.ContentLength = buffer.WrittenCount;
        await response.Body.WriteAsync(buffer.WrittenMemory, cancellationToken);
    }

    public static async Task WriteStreamAsync(HttpResponse response, OpenAiOperation operation, string model, bool includeUsage, MockReply reply, long created, Func<CancellationToken, Task> betweenChunks, CancellationToken cancellationToken)
    {
        response.ContentType = "text/event-stream; charset=utf-8";
        response.Headers.CacheControl = "no-cache";
        var id = NextId(operation);
        var chat = operation == OpenAiOperation.ChatCompletions;
        await WriteEventAsync(response, json => WriteChunk(json, id, model, created, chat, role: chat, content: string.Empty, finish: null), cancellationToken);
        foreach (var piece in reply.Pieces)
        {
            await betweenChunks(cancellationToken);
            await WriteEventAsync(response, json => WriteChunk(json, id, model, created, chat, role: false, content: piece, finish: null), cancellationToken);
        }

        await WriteEventAsync(response, json => WriteChunk(json, id, model, created, chat, role: false, content: null, finish: reply.Truncated ? "length" : "stop"), cancellationToken);
        if (includeUsage)
        {
            await WriteEventAsync(response, json =>
            {
                json.WriteStartObject();
                WriteHeader(json, id, chat ? "chat.completion.chunk" : "text_completion", model, created);
                json.WriteStartArray("choices");
                json.WriteEndArray();
                WriteUsage(json, reply.PromptTokens, reply.CompletionTokens);
                json.WriteEndObject();
            }, cancellationToken);
        }

        await response.Body.WriteAsync("data: [DONE]\n\n"u8.ToArray(), cancellationToken);
        await response.Body.FlushAsync(cancellationToken);
    }

    private static async Task WriteEventAsync(HttpResponse response, Action<Utf8JsonWriter> write, CancellationToken cancellationToken)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        buffer.Write("data: "u8);
        using (var json = new Utf8JsonWriter(buffer))
        {
            write(json);
        }

        buffer.Write("\n\n"u8);
        await response.Body.WriteAsync(buffer.WrittenMemory, cancellationToken);
        await response.Body.FlushAsync(cancellationToken);
    }

    private static void WriteChunk(Utf8JsonWriter json, string id, string model, long created, bool chat, bool role, string? content, string? finish)
    {
        json.WriteStartObject();
        WriteHeader(json, id, chat ? "chat.completion.chunk" : "text_completion", model, created);
        json.WriteStartArray("choices");
        json.WriteStartObject();
        json.WriteNumber("index", 0);
        if (chat)
        {
            json.WriteStartObject("delta");
            if (role)
            {
                json.WriteString("role", "assistant");
            }

            if (content is not null)
            {
                json.WriteString("content", content);
            }

            json.WriteEndObject();
        }
        else
        {
            json.WriteString("text", content ?? string.Empty);
        }

        json.WriteNull("logprobs");
        if (finish is null)
        {
            json.WriteNull("finish_reason");
        }
        else
        {
            json.WriteString("finish_reason", finish);
        }

        json.WriteEndObject();
        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteChatCompletion(Utf8JsonWriter json, string model, MockReply reply, long created)
    {
        json.WriteStartObject();
        WriteHeader(json, NextId(OpenAiOperation.ChatCompletions), "chat.completion", model, created);
        json.WriteStartArray("choices");
        json.WriteStartObject();
        json.WriteNumber("index", 0);
        json.WriteStartObject("message");
        json.WriteString("role", "assistant");
        json.WriteString("content", reply.Text);
        json.WriteNull("refusal");
        json.WriteEndObject();
        json.WriteNull("logprobs");
        json.WriteString("finish_reason", reply.Truncated ? "length" : "stop");
        json.WriteEndObject();
        json.WriteEndArray();
        WriteUsage(json, reply.PromptTokens, reply.CompletionTokens);
        json.WriteEndObject();
    }

    private static void WriteTextCompletion(Utf8JsonWriter json, string model, MockReply reply, long created)
    {
        json.WriteStartObject();
        WriteHeader(json, NextId(OpenAiOperation.Completions), "text_completion", model, created);
        json.WriteStartArray("choices");
        json.WriteStartObject();
        json.WriteString("text", reply.Text);
        json.WriteNumber("index", 0);
        json.WriteNull("logprobs");
        json.WriteString("finish_reason", reply.Truncated ? "length" : "stop");
        json.WriteEndObject();
        json.WriteEndArray();
        WriteUsage(json, reply.PromptTokens, reply.CompletionTokens);
        json.WriteEndObject();
    }

    /// <summary>One vector per input, derived from a hash of the input text, so equal inputs get equal vectors.</summary>
    private static void WriteEmbeddings(Utf8JsonWriter json, string model, JsonElement request)
    {
        var inputs = request.TryGetProperty("input", out var input) ? input.ValueKind switch
        {
            JsonValueKind.String => [input.GetString() ?? string.Empty],
            JsonValueKind.Array => input.EnumerateArray().Select(i => i.ValueKind == JsonValueKind.String ? i.GetString() ?? string.Empty : i.GetRawText()).ToList(),
            _ => new List<string>(),
        } : [];
        var dimensions = request.TryGetProperty("dimensions", out var d) && d.TryGetInt32(out var requested) && requested is > 0 and <= 4096 ? requested : DefaultEmbeddingDimensions;
        var base64 = request.TryGetProperty("encoding_format", out var format) && format.ValueEquals("base64");

        json.WriteStartObject();
        json.WriteString("object", "list");
        json.WriteStartArray("data");
        for (var i = 0; i < inputs.Count; i++)
        {
            json.WriteStartObject();
            json.WriteString("object", "embedding");
            json.WriteNumber("index", i);
            var vector = Vector(inputs[i], dimensions);
            if (base64)
            {
                var bytes = new byte[vector.Length * sizeof(float)];
                Buffer.BlockCopy(vector, 0, bytes, 0, bytes.Length);
                json.WriteBase64String("embedding", bytes);
            }
            else
            {
                json.WriteStartArray("embedding");
                foreach (var value in vector)
                {
                    json.WriteNumberValue(value);
                }

                json.WriteEndArray();
            }

            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteString("model", model);
        var tokens = Math.Max(1, inputs.Sum(MockReply.CountWords));
        json.WriteStartObject("usage");
        json.WriteNumber("prompt_tokens", tokens);
        json.WriteNumber("total_tokens", tokens);
        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static float[] Vector(string text, int dimensions)
    {
        var seed = SHA256.HashData(Encoding.UTF8.GetBytes(text));
        var vector = new float[dimensions];
        for (var i = 0; i < dimensions; i++)
        {
            vector[i] = (seed[i % seed.Length] ^ (i / seed.Length * 31 % 256)) / 127.5f - 1f;
        }

        return vector;
    }

    private static void WriteHeader(Utf8JsonWriter json, string id, string objectType, string model, long created)
    {
        json.WriteString("id", id);
        json.WriteString("object", objectType);
        json.WriteNumber("created", created);
        json.WriteString("model", model);
    }

    private static void WriteUsage(Utf8JsonWriter json, int prompt, int completion)
    {
        json.WriteStartObject("usage");
        json.WriteNumber("prompt_tokens", prompt);
        json.WriteNumber("completion_tokens", completion);
        json.WriteNumber("total_tokens", prompt + completion);
        json.WriteEndObject();
    }

    private static string NextId(OpenAiOperation operation) =>
        (operation == OpenAiOperation.ChatCompletions ? "chatcmpl-mock-" : "cmpl-mock-") + Interlocked.Increment(ref _sequence).ToString(System.Globalization.CultureInfo.InvariantCulture);
}
