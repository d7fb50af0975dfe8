using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace TestInfrastructure;

/// <summary>
/// What the fake Bedrock Runtime answers to one request: a Converse JSON body, a ConverseStream event stream in
/// real AWS framing (each event padded with a <c>p</c> field as Bedrock does), Titan or Cohere embeddings for
/// InvokeModel, or Bedrock's errors (JSON <c>{"message"}</c> with <c>x-amzn-ErrorType</c>), stream exception
/// events, corrupt frames, malformed bodies, latency and hangs.
/// </summary>
public sealed class FakeBedrockReply(Func<HttpContext, FakeBedrockRequest, FakeBedrockUpstream, Task> write)
{
    public const int InputTokens = 11;
    public const int OutputTokens = 7;
    public static readonly float[] Vector = [0.25f, -0.5f, 0.75f];

    internal Task WriteAsync(HttpContext context, FakeBedrockRequest request, FakeBedrockUpstream upstream) => write(context, request, upstream);

    /// <summary>A text answer (split into one delta per word when streamed), or embeddings for <c>invoke</c>.</summary>
    public static FakeBedrockReply Text(string text, int cacheReadTokens = 0, int cacheWriteTokens = 0, string stopReason = "end_turn") => new((context, request, upstream) =>
    {
        var usage = Usage(cacheReadTokens, cacheWriteTokens);
        if (request.Action == "invoke")
        {
            return WriteEmbeddingsAsync(context, request);
        }

        var content = new JsonArray(new JsonObject { ["text"] = text });
        return request.IsStream
            ? WriteStreamAsync(context, upstream, [.. TextEvents(0, text), .. Stop(stopReason, usage)])
            : WriteJsonAsync(context, Answer(content, stopReason, usage));
    });

    /// <summary>A turn that calls one tool, after an optional sentence; streamed as a tool block whose input arrives in two pieces.</summary>
    public static FakeBedrockReply ToolUse(string name, string inputJson, string? text = null) => new((context, request, upstream) =>
    {
        const string toolUseId = "tooluse_fake_1";
        var usage = Usage(0, 0);
        if (!request.IsStream)
        {
            var content = new JsonArray();
            if (text is not null)
            {
                content.Add(new JsonObject { ["text"] = text });
            }

            content.Add(new JsonObject { ["toolUse"] = new JsonObject { ["toolUseId"] = toolUseId, ["name"] = name, ["input"] = JsonNode.Parse(inputJson) } });
            return WriteJsonAsync(context, Answer(content, "tool_use", usage));
        }

        var events = new List<byte[]>();
        var index = 0;
        if (text is not null)
        {
            events.AddRange(TextEvents(index++, text));
            events.Add(EventStreamEncoder.Event("contentBlockStop", Padded(new JsonObject { ["contentBlockIndex"] = 0 })));
        }
        else
        {
            events.Add(EventStreamEncoder.Event("messageStart", Padded(new JsonObject { ["role"] = "assistant" })));
        }

        events.Add(EventStreamEncoder.Event("contentBlockStart", Padded(new JsonObject
        {
            ["contentBlockIndex"] = index,
            ["start"] = new JsonObject { ["toolUse"] = new JsonObject { ["toolUseId"] = toolUseId, ["name"] = name } },
        })));
        var half = inputJson.Length / 2;
        foreach (var piece in new[] { inputJson[..half], inputJson[half..] })
        {
            events.Add(EventStreamEncoder.Event("contentBlockDelta", Padded(new JsonObject
            {
                ["contentBlockIndex"] = index,
                ["delta"] = new JsonObject { ["toolUse"] = new JsonObject { ["input"] = piece } },
            })));
        }

        events.Add(EventStreamEncoder.Event("contentBlockStop", Padded(new JsonObject { ["contentBlockIndex"] = index })));
        events.AddRange(Stop("tool_use", usage));
        return WriteStreamAsync(context, upstream, events);
    });

    /// <summary>An error answer as Bedrock sends one: the status, <c>x-amzn-ErrorType</c>, <c>{"message"}</c>, and <c>Retry-After</c> (seconds) when given.</summary>
    public static FakeBedrockReply Error(int status, string type, string message, TimeSpan? retryAfter = null) => new((context, _, _) =>
        WriteErrorAsync(context, status, type, message, retryAfter));

    public static FakeBedrockReply Throttled(TimeSpan? retryAfter = null) =>
        Error(429, "ThrottlingException", "Too many requests, please wait before trying again.", retryAfter);

    /// <summary>A stream that sends <paramref name="textBefore"/> and then an exception event (e.g. <c>modelStreamErrorException</c>).</summary>
    public static FakeBedrockReply StreamException(string exceptionType, string message, string? textBefore = null) => new((context, _, upstream) =>
        WriteStreamAsync(context, upstream, [.. textBefore is null ? [] : TextEvents(0, textBefore), EventStreamEncoder.Exception(exceptionType, message)]));

    /// <summary>200 with a body that is not what the API promises: broken JSON, or for a stream, a frame whose checksum is wrong.</summary>
    public static FakeBedrockReply Malformed() => new(async (context, request, upstream) =>
    {
        if (!request.IsStream)
        {
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync("{\"output\": {\"message\": ");
            return;
        }

        var frame = EventStreamEncoder.Event("messageStart", Padded(new JsonObject { ["role"] = "assistant" }));
        frame[^1] ^= 0xFF;
        await WriteStreamAsync(context, upstream, [frame]);
    });

    /// <summary>A stream whose first event is sent at once; the rest waits for <paramref name="gate"/> (at most 10 s).</summary>
    public static FakeBedrockReply GatedStream(string first, string rest, Task gate, StreamTimings timings) => new(async (context, _, upstream) =>
    {
        var events = TextEvents(0, first + " " + rest).ToList();
        var firstBatch = events.Take(2).ToList();
        await WriteStreamAsync(context, upstream, firstBatch, complete: false);
        timings.FirstChunkSentAt = Stopwatch.GetTimestamp();
        await Task.WhenAny(gate, Task.Delay(TimeSpan.FromSeconds(10)));
        await WriteStreamAsync(context, upstream, [.. events.Skip(2), .. Stop("end_turn", Usage(0, 0))]);
        timings.LastChunkSentAt = Stopwatch.GetTimestamp();
    });

    public static FakeBedrockReply Delayed(TimeSpan delay, FakeBedrockReply then) => new(async (context, request, upstream) =>
    {
        await Task.Delay(delay, context.RequestAborted);
        await then.WriteAsync(context, request, upstream);
    });

    /// <summary>Accepts the request and never answers, until the caller gives up.</summary>
    public static FakeBedrockReply Hang() => new(async (context, _, _) =>
    {
        try
        {
            await Task.Delay(Timeout.Infinite, context.RequestAborted);
        }
        catch (OperationCanceledException)
        {
        }
    });

    internal static async Task WriteErrorAsync(HttpContext context, int status, string type, string message, TimeSpan? retryAfter = null)
    {
        context.Response.StatusCode = status;
        context.Response.Headers["x-amzn-ErrorType"] = $"{type}:http://internal.amazon.com/coral/com.amazon.bedrock/";
        if (retryAfter is { } wait)
        {
            context.Response.Headers.RetryAfter = ((int)wait.TotalSeconds).ToString(CultureInfo.InvariantCulture);
        }

        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(JsonSerializer.Serialize(new { message }));
    }

    private static JsonObject Usage(int cacheRead, int cacheWrite)
    {
        var usage = new JsonObject { ["inputTokens"] = InputTokens, ["outputTokens"] = OutputTokens, ["totalTokens"] = InputTokens + OutputTokens + cacheRead + cacheWrite };
        if (cacheRead > 0 || cacheWrite > 0)
        {
            usage["cacheReadInputTokens"] = cacheRead;
            usage["cacheWriteInputTokens"] = cacheWrite;
        }

        return usage;
    }

    private static JsonObject Answer(JsonArray content, string stopReason, JsonObject usage) => new()
    {
        ["metrics"] = new JsonObject { ["latencyMs"] = 321 },
        ["output"] = new JsonObject { ["message"] = new JsonObject { ["content"] = content, ["role"] = "assistant" } },
        ["stopReason"] = stopReason,
        ["usage"] = usage,
    };

    private static IEnumerable<byte[]> TextEvents(int index, string text)
    {
        yield return EventStreamEncoder.Event("messageStart", Padded(new JsonObject { ["role"] = "assistant" }));
        var words = text.Split(' ');
        for (var i = 0; i < words.Length; i++)
        {
            yield return EventStreamEncoder.Event("contentBlockDelta", Padded(new JsonObject
            {
                ["contentBlockIndex"] = index,
                ["delta"] = new JsonObject { ["text"] = i == 0 ? words[i] : " " + words[i] },
            }));
        }
    }

    private static IEnumerable<byte[]> Stop(string stopReason, JsonObject usage)
    {
        yield return EventStreamEncoder.Event("messageStop", Padded(new JsonObject { ["stopReason"] = stopReason }));
        yield return EventStreamEncoder.Event("metadata", Padded(new JsonObject { ["metrics"] = new JsonObject { ["latencyMs"] = 321 }, ["usage"] = usage }));
    }

    /// <summary>Bedrock pads every stream event with a <c>p</c> field of varying length, so event sizes do not reveal content.</summary>
    private static string Padded(JsonObject payload)
    {
        payload["p"] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJ"[..(payload.ToJsonString().Length % 30 + 4)];
        return payload.ToJsonString();
    }

    private static async Task WriteJsonAsync(HttpContext context, JsonObject body)
    {
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(body.ToJsonString());
    }

    private static async Task WriteStreamAsync(HttpContext context, FakeBedrockUpstream upstream, IEnumerable<byte[]> frames, bool complete = true)
    {
        if (!context.Response.HasStarted)
        {
            context.Response.ContentType = "application/vnd.amazon.eventstream";
        }

        foreach (var frame in frames)
        {
            if (upstream.EventDelay > TimeSpan.Zero)
            {
                await Task.Delay(upstream.EventDelay, context.RequestAborted);
            }

            if (upstream.SplitFrames)
            {
                // Two writes with a flush between: the gateway must reassemble frames split across reads.
                var cut = Math.Min(frame.Length - 1, 7);
                await context.Response.Body.WriteAsync(frame.AsMemory(0, cut), context.RequestAborted);
                await context.Response.Body.FlushAsync(context.RequestAborted);
                await Task.Delay(2, context.RequestAborted);
                await context.Response.Body.WriteAsync(frame.AsMemory(cut), context.RequestAborted);
            }
            else
            {
                await context.Response.Body.WriteAsync(frame, context.RequestAborted);
            }

            await context.Response.Body.FlushAsync(context.RequestAborted);
        }

        if (complete)
        {
            await context.Response.CompleteAsync();
        }
    }

    private static async Task WriteEmbeddingsAsync(HttpContext context, FakeBedrockRequest request)
    {
        var json = request.Json!;
        context.Response.ContentType = "application/json";
        if (request.ModelId.Contains("cohere.embed", StringComparison.Ordinal))
        {
            var texts = json["texts"]!.AsArray();
            context.Response.Headers["X-Amzn-Bedrock-Input-Token-Count"] = (texts.Count * 3).ToString(CultureInfo.InvariantCulture);
            var embeddings = new JsonArray(texts.Select(_ => (JsonNode?)new JsonArray(Vector.Select(v => (JsonNode?)JsonValue.Create(v)).ToArray())).ToArray());
            await context.Response.WriteAsync(new JsonObject
            {
                ["embeddings"] = embeddings,
                ["id"] = "fake-cohere-1",
                ["response_type"] = "embeddings_floats",
                ["texts"] = texts.DeepClone(),
            }.ToJsonString(), Encoding.UTF8);
            return;
        }

        var inputText = json["inputText"]!.GetValue<string>();
        await context.Response.WriteAsync(new JsonObject
        {
            ["embedding"] = new JsonArray(Vector.Select(v => (JsonNode?)JsonValue.Create(v)).ToArray()),
            ["inputTextTokenCount"] = inputText.Split(' ').Length,
        }.ToJsonString(), Encoding.UTF8);
    }
}
