using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace TestInfrastructure;

/// <summary>
/// What a <see cref="FakeAnthropicUpstream"/> answers, in Anthropic's wire format: a message, or (when the request
/// asks to stream) the event stream with Anthropic's event names and data — <c>message_start</c>,
/// <c>content_block_start</c>, <c>ping</c>, <c>content_block_delta</c> (<c>text_delta</c>, <c>input_json_delta</c>),
/// <c>content_block_stop</c>, <c>message_delta</c>, <c>message_stop</c> — plus error statuses, an <c>error</c> event,
/// hangs and malformed bodies.
/// </summary>
public sealed class FakeAnthropicReply(Func<HttpContext, FakeUpstreamRequest, Task> write)
{
    public const int InputTokens = 11;
    public const int OutputTokens = 7;

    internal Task WriteAsync(HttpContext context, FakeUpstreamRequest request) => write(context, request);

    /// <summary>A text answer; with cache counts, usage that reports prompt-cache reads and writes besides <see cref="InputTokens"/>.</summary>
    public static FakeAnthropicReply Answer(string text, int cacheRead = 0, int cacheCreation = 0, TimeSpan? eventDelay = null) =>
        new((context, request) => request.WantsStream
            ? WriteStreamAsync(context, request, [Text(text)], "end_turn", cacheRead, cacheCreation, eventDelay ?? TimeSpan.Zero, gate: null)
            : WriteJsonAsync(context, 200, Message(request, [new JsonObject { ["type"] = "text", ["text"] = text }], "end_turn", cacheRead, cacheCreation)));

    /// <summary>An answer that calls one tool with <paramref name="inputJson"/>, after a sentence of text.</summary>
    public static FakeAnthropicReply ToolUse(string name, string inputJson, string text = "Let me look that up.") =>
        new((context, request) => request.WantsStream
            ? WriteStreamAsync(context, request, [Text(text), Tool(name, inputJson)], "tool_use", 0, 0, TimeSpan.Zero, gate: null)
            : WriteJsonAsync(context, 200, Message(request,
            [
                new JsonObject { ["type"] = "text", ["text"] = text },
                new JsonObject { ["type"] = "tool_use", ["id"] = "toolu_fake_1", ["name"] = name, ["input"] = JsonNode.Parse(inputJson) },
            ], "tool_use", 0, 0)));

    /// <summary>An error status with Anthropic's error body, and <c>retry-after</c> in whole seconds when given.</summary>
    public static FakeAnthropicReply Error(int status, string type, string message, TimeSpan? retryAfter = null) => new((context, _) =>
    {
        if (retryAfter is { } wait)
        {
            context.Response.Headers.RetryAfter = ((int)wait.TotalSeconds).ToString(CultureInfo.InvariantCulture);
        }

        return WriteJsonAsync(context, status, new JsonObject
        {
            ["type"] = "error",
            ["error"] = new JsonObject { ["type"] = type, ["message"] = message },
            ["request_id"] = "req_fake_1",
        });
    });

    public static FakeAnthropicReply Overloaded() => Error(529, "overloaded_error", "Overloaded");

    public static FakeAnthropicReply RateLimited(TimeSpan retryAfter) => Error(429, "rate_limit_error", "Number of request tokens has exceeded your per-minute rate limit", retryAfter);

    /// <summary>A stream that starts, sends some text, then an <c>error</c> event, as Anthropic does when it breaks off mid-answer.</summary>
    public static FakeAnthropicReply StreamBrokenOff(string before) => new(async (context, request) =>
    {
        await StartStreamAsync(context, request, 0, 0);
        await SendAsync(context, "content_block_start", new JsonObject { ["type"] = "content_block_start", ["index"] = 0, ["content_block"] = new JsonObject { ["type"] = "text", ["text"] = string.Empty } });
        await SendAsync(context, "content_block_delta", TextDelta(0, before));
        // Later, as a real break would come: the text has reached the client by then.
        await Task.Delay(TimeSpan.FromMilliseconds(300), context.RequestAborted);
        await SendErrorEventAsync(context);
    });

    /// <summary>A stream whose very first event is an <c>error</c> (overloaded), before any content.</summary>
    public static FakeAnthropicReply StreamOverloadedAtOnce() => new(async (context, _) =>
    {
        context.Response.ContentType = "text/event-stream; charset=utf-8";
        await SendErrorEventAsync(context);
    });

    /// <summary>Accepts the request and never answers, until the caller gives up.</summary>
    public static FakeAnthropicReply Hang() => new(async (context, _) =>
    {
        try
        {
            await Task.Delay(Timeout.Infinite, context.RequestAborted);
        }
        catch (OperationCanceledException)
        {
        }
    });

    /// <summary>200 with a body that is not JSON.</summary>
    public static FakeAnthropicReply Malformed() => new(async (context, _) =>
    {
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync("{\"id\": \"msg_broken\", \"content\": [");
    });

    public static FakeAnthropicReply Delayed(TimeSpan delay, FakeAnthropicReply then) => new(async (context, request) =>
    {
        await Task.Delay(delay, context.RequestAborted);
        await then.WriteAsync(context, request);
    });

    /// <summary>
    /// A stream whose first text delta is sent at once; the rest waits for <paramref name="gate"/> (at most 10 s), so a
    /// test can prove the first delta reached the client before the upstream sent its last event.
    /// </summary>
    public static FakeAnthropicReply GatedStream(string first, string rest, Task gate, StreamTimings timings) => new((context, request) =>
        WriteStreamAsync(context, request, [Text(first + rest)], "end_turn", 0, 0, TimeSpan.Zero, (gate, timings)));

    internal static FakeAnthropicReply TokenCount() => new((context, request) =>
    {
        var words = request.Body.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length;
        return WriteJsonAsync(context, 200, new JsonObject { ["input_tokens"] = words });
    });

    private static JsonObject Message(FakeUpstreamRequest request, JsonArray content, string stopReason, int cacheRead, int cacheCreation) => new()
    {
        ["id"] = "msg_fake_1",
        ["type"] = "message",
        ["role"] = "assistant",
        ["model"] = request.Json?["model"]?.GetValue<string>(),
        ["content"] = content,
        ["stop_reason"] = stopReason,
        ["stop_sequence"] = null,
        ["usage"] = Usage(cacheRead, cacheCreation, OutputTokens),
    };

    private static JsonObject Usage(int cacheRead, int cacheCreation, int output) => new()
    {
        ["input_tokens"] = InputTokens,
        ["cache_creation_input_tokens"] = cacheCreation,
        ["cache_read_input_tokens"] = cacheRead,
        ["output_tokens"] = output,
    };

    /// <summary>One content block of a streamed answer: its start block and the deltas that fill it.</summary>
    private sealed record StreamBlock(JsonObject Start, List<JsonObject> Deltas);

    private static StreamBlock Text(string text) =>
        new(new JsonObject { ["type"] = "text", ["text"] = string.Empty },
            Pieces(text).Select(piece => new JsonObject { ["type"] = "text_delta", ["text"] = piece }).ToList());

    private static StreamBlock Tool(string name, string inputJson)
    {
        var half = inputJson.Length / 2;
        return new(new JsonObject { ["type"] = "tool_use", ["id"] = "toolu_fake_1", ["name"] = name, ["input"] = new JsonObject() },
        [
            new JsonObject { ["type"] = "input_json_delta", ["partial_json"] = string.Empty },
            new JsonObject { ["type"] = "input_json_delta", ["partial_json"] = inputJson[..half] },
            new JsonObject { ["type"] = "input_json_delta", ["partial_json"] = inputJson[half..] },
        ]);
    }

    private static List<string> Pieces(string text)
    {
        var words = text.Split(' ');
        return words.Select((word, i) => i == 0 ? word : " " + word).ToList();
    }

    private static JsonObject TextDelta(int index, string text) =>
        new() { ["type"] = "content_block_delta", ["index"] = index, ["delta"] = new JsonObject { ["type"] = "text_delta", ["text"] = text } };

    private static async Task StartStreamAsync(HttpContext context, FakeUpstreamRequest request, int cacheRead, int cacheCreation)
    {
        context.Response.ContentType = "text/event-stream; charset=utf-8";
        context.Response.Headers.CacheControl = "no-cache";
        var message = new JsonObject
        {
            ["id"] = "msg_fake_stream",
            ["type"] = "message",
            ["role"] = "assistant",
            ["model"] = request.Json?["model"]?.GetValue<string>(),
            ["content"] = new JsonArray(),
            ["stop_reason"] = null,
            ["stop_sequence"] = null,
            ["usage"] = Usage(cacheRead, cacheCreation, 1),
        };
        await SendAsync(context, "message_start", new JsonObject { ["type"] = "message_start", ["message"] = message });
    }

    private static async Task WriteStreamAsync(HttpContext context, FakeUpstreamRequest request, List<StreamBlock> blocks, string stopReason, int cacheRead, int cacheCreation, TimeSpan delay, (Task Gate, StreamTimings Timings)? gate)
    {
        await StartStreamAsync(context, request, cacheRead, cacheCreation);
        var sent = 0;
        for (var index = 0; index < blocks.Count; index++)
        {
            await SendAsync(context, "content_block_start", new JsonObject { ["type"] = "content_block_start", ["index"] = index, ["content_block"] = blocks[index].Start });
            if (index == 0)
            {
                await SendAsync(context, "ping", new JsonObject { ["type"] = "ping" });
            }

            foreach (var delta in blocks[index].Deltas)
            {
                if (sent == 1 && gate is { } g)
                {
                    await Task.WhenAny(g.Gate, Task.Delay(TimeSpan.FromSeconds(10)));
                }
                else if (sent > 0 && delay > TimeSpan.Zero)
                {
                    await Task.Delay(delay);
                }

                await SendAsync(context, "content_block_delta", new JsonObject { ["type"] = "content_block_delta", ["index"] = index, ["delta"] = delta });
                if (sent++ == 0 && gate is { } first)
                {
                    first.Timings.FirstChunkSentAt = Stopwatch.GetTimestamp();
                }
            }

            await SendAsync(context, "content_block_stop", new JsonObject { ["type"] = "content_block_stop", ["index"] = index });
        }

        await SendAsync(context, "message_delta", new JsonObject
        {
            ["type"] = "message_delta",
            ["delta"] = new JsonObject { ["stop_reason"] = stopReason, ["stop_sequence"] = null },
            ["usage"] = new JsonObject { ["output_tokens"] = OutputTokens },
        });
        await SendAsync(context, "message_stop", new JsonObject { ["type"] = "message_stop" });
        if (gate is { } last)
        {
            last.Timings.LastChunkSentAt = Stopwatch.GetTimestamp();
        }
    }

    private static Task SendErrorEventAsync(HttpContext context) =>
        SendAsync(context, "error", new JsonObject { ["type"] = "error", ["error"] = new JsonObject { ["type"] = "overloaded_error", ["message"] = "Overloaded" } });

    private static async Task SendAsync(HttpContext context, string name, JsonObject data)
    {
        await context.Response.WriteAsync($"event: {name}\ndata: {data.ToJsonString()}\n\n");
        await context.Response.Body.FlushAsync();
    }

    private static async Task WriteJsonAsync(HttpContext context, int status, JsonObject body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        context.Response.Headers["request-id"] = "req_fake_1";
        await context.Response.WriteAsync(body.ToJsonString());
    }
}
