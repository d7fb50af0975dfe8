using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace TestInfrastructure;

/// <summary>
/// What a <see cref="FakeOpenAiUpstream"/> answers to one request, in OpenAI's wire format: JSON or server-sent
/// events (chosen by the request's <c>stream</c>), tool calls, error statuses, hangs and malformed bodies.
/// </summary>
public sealed class FakeReply(Func<HttpContext, FakeUpstreamRequest, Task> write)
{
    public const int PromptTokens = 11;
    public const int CompletionTokens = 7;

    internal Task WriteAsync(HttpContext context, FakeUpstreamRequest request) => write(context, request);

    /// <summary>A successful answer with <paramref name="text"/>, shaped for the operation the request asked for.</summary>
    public static FakeReply Answer(string text, TimeSpan? chunkDelay = null) => new((context, request) =>
        request.Path.EndsWith("/embeddings", StringComparison.Ordinal) ? WriteEmbeddingsAsync(context, request)
        : request.WantsStream ? WriteStreamAsync(context, request, Pieces(text), chunkDelay ?? TimeSpan.Zero, gate: null, timings: null)
        : WriteJsonAsync(context, request.Path.EndsWith("/chat/completions", StringComparison.Ordinal) ? ChatCompletion(request, text) : TextCompletion(request, text)));

    /// <summary>
    /// <paramref name="then"/> when <paramref name="authorized"/> accepts the request's credentials; otherwise the
    /// 401 Azure OpenAI sends for a missing or wrong token.
    /// </summary>
    public static FakeReply Authorized(Func<FakeUpstreamRequest, Task<bool>> authorized, FakeReply then) => new(async (context, request) =>
    {
        if (await authorized(request))
        {
            await then.WriteAsync(context, request);
            return;
        }

        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync("""{"error":{"code":"PermissionDenied","message":"Principal does not have access to API/Operation."}}""");
    });

    /// <summary>A chat answer that calls one tool.</summary>
    public static FakeReply ToolCall(string name, string arguments) => new((context, request) =>
    {
        var answer = ChatCompletion(request, null);
        var message = answer["choices"]![0]!["message"]!;
        message["tool_calls"] = new JsonArray(new JsonObject
        {
            ["id"] = "call_fake_1",
            ["type"] = "function",
            ["function"] = new JsonObject { ["name"] = name, ["arguments"] = arguments },
        });
        answer["choices"]![0]!["finish_reason"] = "tool_calls";
        return WriteJsonAsync(context, answer);
    });

    /// <summary>An error status with an OpenAI-shaped body, and a <c>Retry-After</c> in whole seconds when given.</summary>
    public static FakeReply Status(int status, TimeSpan? retryAfter = null, string? body = null) => new(async (context, _) =>
    {
        context.Response.StatusCode = status;
        if (retryAfter is { } wait)
        {
            context.Response.Headers.RetryAfter = ((int)wait.TotalSeconds).ToString(CultureInfo.InvariantCulture);
        }

        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(body ?? $$$"""{"error":{"message":"fake upstream says {{{status}}}","type":"server_error","param":null,"code":null}}""");
    });

    /// <summary>Accepts the request and never answers, until the caller gives up.</summary>
    public static FakeReply Hang() => new(async (context, _) =>
    {
        try
        {
            await Task.Delay(Timeout.Infinite, context.RequestAborted);
        }
        catch (OperationCanceledException)
        {
        }
    });

    /// <summary>Sends stream headers at once and then no event, until the caller gives up.</summary>
    public static FakeReply HangAfterHeaders() => new(async (context, _) =>
    {
        context.Response.ContentType = "text/event-stream";
        await context.Response.Body.FlushAsync();
        try
        {
            await Task.Delay(Timeout.Infinite, context.RequestAborted);
        }
        catch (OperationCanceledException)
        {
        }
    });

    /// <summary>200 with a body that is not JSON.</summary>
    public static FakeReply Malformed() => new(async (context, _) =>
    {
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync("{\"id\": \"chatcmpl-broken\", \"choices\": [");
    });

    public static FakeReply Delayed(TimeSpan delay, FakeReply then) => new(async (context, request) =>
    {
        await Task.Delay(delay, context.RequestAborted);
        await then.WriteAsync(context, request);
    });

    /// <summary>
    /// A stream whose first chunk is sent at once; the rest waits for <paramref name="gate"/> (at most 10 s), so a
    /// test can prove the first chunk reached the client before the upstream sent its last one.
    /// </summary>
    public static FakeReply GatedStream(string first, string rest, Task gate, StreamTimings timings) => new((context, request) =>
        WriteStreamAsync(context, request, [first, .. rest.Split(' ').Select(word => " " + word)], TimeSpan.Zero, gate, timings));

    /// <summary>A stream of one chunk per word, <paramref name="gap"/> apart, noting when each chunk was flushed to the wire.</summary>
    public static FakeReply TimedStream(string text, TimeSpan gap, StreamTimings timings) => new((context, request) =>
        WriteStreamAsync(context, request, Pieces(text), gap, gate: null, timings));

    /// <summary>OpenAI's 400 for a prompt longer than the model's context window.</summary>
    public static FakeReply ContextLengthExceeded() => Status(400, body: """
        {"error":{"message":"This model's maximum context length is 16 tokens. However, your messages resulted in 40 tokens. Please reduce the length of the messages.","type":"invalid_request_error","param":"messages","code":"context_length_exceeded"}}
        """);

    private static List<string> Pieces(string text)
    {
        var words = text.Split(' ');
        return words.Select((word, i) => i == 0 ? word : " " + word).ToList();
    }

    private static JsonObject ChatCompletion(FakeUpstreamRequest request, string? text) => new()
    {
        ["id"] = "chatcmpl-fake-1",
        ["object"] = "chat.completion",
        ["created"] = 1_700_000_000,
        ["model"] = request.Json?["model"]?.GetValue<string>(),
        ["choices"] = new JsonArray(new JsonObject
        {
            ["index"] = 0,
            ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = text },
            ["logprobs"] = null,
            ["finish_reason"] = "stop",
        }),
        ["usage"] = Usage(),
    };

    private static JsonObject TextCompletion(FakeUpstreamRequest request, string text) => new()
    {
        ["id"] = "cmpl-fake-1",
        ["object"] = "text_completion",
        ["created"] = 1_700_000_000,
        ["model"] = request.Json?["model"]?.GetValue<string>(),
        ["choices"] = new JsonArray(new JsonObject { ["text"] = text, ["index"] = 0, ["logprobs"] = null, ["finish_reason"] = "stop" }),
        ["usage"] = Usage(),
    };

    private static JsonObject Usage() => new() { ["prompt_tokens"] = PromptTokens, ["completion_tokens"] = CompletionTokens, ["total_tokens"] = PromptTokens + CompletionTokens };

    private static Task WriteEmbeddingsAsync(HttpContext context, FakeUpstreamRequest request)
    {
        var json = request.Json!;
        var inputs = json["input"] is JsonArray array ? array.Count : 1;
        var base64 = json["encoding_format"]?.GetValue<string>() == "base64";
        float[] vector = [0.25f, -0.5f, 0.75f];
        var data = new JsonArray();
        for (var i = 0; i < inputs; i++)
        {
            JsonNode embedding = base64
                ? JsonValue.Create(Convert.ToBase64String(vector.SelectMany(BitConverter.GetBytes).ToArray()))
                : new JsonArray(vector.Select(v => (JsonNode?)JsonValue.Create(v)).ToArray());
            data.Add(new JsonObject { ["object"] = "embedding", ["index"] = i, ["embedding"] = embedding });
        }

        return WriteJsonAsync(context, new JsonObject
        {
            ["object"] = "list",
            ["data"] = data,
            ["model"] = json["model"]?.GetValue<string>(),
            ["usage"] = new JsonObject { ["prompt_tokens"] = PromptTokens, ["total_tokens"] = PromptTokens },
        });
    }

    private static async Task WriteJsonAsync(HttpContext context, JsonObject body)
    {
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(body.ToJsonString());
    }

    private static async Task WriteStreamAsync(HttpContext context, FakeUpstreamRequest request, List<string> pieces, TimeSpan delay, Task? gate, StreamTimings? timings)
    {
        var model = request.Json?["model"]?.GetValue<string>();
        var chat = request.Path.EndsWith("/chat/completions", StringComparison.Ordinal);
        var includeUsage = request.Json?["stream_options"]?["include_usage"]?.GetValue<bool>() == true;
        context.Response.ContentType = "text/event-stream; charset=utf-8";
        for (var i = 0; i < pieces.Count; i++)
        {
            if (i == 1 && gate is not null)
            {
                await Task.WhenAny(gate, Task.Delay(TimeSpan.FromSeconds(10)));
            }
            else if (i > 0 && delay > TimeSpan.Zero)
            {
                await Task.Delay(delay);
            }

            var delta = chat
                ? new JsonObject { ["index"] = 0, ["delta"] = i == 0 ? new JsonObject { ["role"] = "assistant", ["content"] = pieces[i] } : new JsonObject { ["content"] = pieces[i] }, ["finish_reason"] = null }
                : new JsonObject { ["index"] = 0, ["text"] = pieces[i], ["finish_reason"] = null };
            await SendEventAsync(context, Chunk(model, chat, delta));
            if (timings is not null)
            {
                timings.ChunkSentAt.Add(Stopwatch.GetTimestamp());
                timings.FirstChunkSentAt = timings.ChunkSentAt[0];
            }
        }

        var finish = chat
            ? new JsonObject { ["index"] = 0, ["delta"] = new JsonObject(), ["finish_reason"] = "stop" }
            : new JsonObject { ["index"] = 0, ["text"] = string.Empty, ["finish_reason"] = "stop" };
        await SendEventAsync(context, Chunk(model, chat, finish));
        if (includeUsage)
        {
            var usage = Chunk(model, chat, null);
            usage["usage"] = Usage();
            await SendEventAsync(context, usage);
        }

        await context.Response.WriteAsync("data: [DONE]\n\n");
        await context.Response.Body.FlushAsync();
        if (timings is not null)
        {
            timings.LastChunkSentAt = Stopwatch.GetTimestamp();
        }
    }

    private static JsonObject Chunk(string? model, bool chat, JsonObject? choice) => new()
    {
        ["id"] = "chatcmpl-fake-stream",
        ["object"] = chat ? "chat.completion.chunk" : "text_completion",
        ["created"] = 1_700_000_000,
        ["model"] = model,
        ["choices"] = choice is null ? new JsonArray() : new JsonArray(choice),
    };

    private static async Task SendEventAsync(HttpContext context, JsonObject payload)
    {
        await context.Response.WriteAsync("data: " + payload.ToJsonString(new JsonSerializerOptions { WriteIndented = false }) + "\n\n", Encoding.UTF8);
        await context.Response.Body.FlushAsync();
    }
}

/// <summary>When a gated stream sent its first and its last chunk (<see cref="Stopwatch"/> ticks).</summary>
public sealed class StreamTimings
{
    public long FirstChunkSentAt { get; set; }
    public long LastChunkSentAt { get; set; }

    /// <summary>When each content chunk was flushed, in order.</summary>
    public List<long> ChunkSentAt { get; } = [];
}
