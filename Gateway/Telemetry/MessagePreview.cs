using System.Text;
using System.Text.Json;

namespace Gateway.Telemetry;

/// <summary>
/// Short previews of a call's prompt for its log line, read from the body only when previews are enabled: the start
/// of the latest user message and the tail of the whole conversation (every message's text, in order). Works on
/// OpenAI chat bodies (<c>messages</c>, content as a string or text parts), completions (<c>prompt</c>), embeddings
/// (<c>input</c>) and Anthropic message bodies (<c>system</c> and <c>messages</c> with text blocks).
/// </summary>
internal static class MessagePreview
{
    public static (string? LatestUserMessage, string? ContextTail) Of(ReadOnlySpan<byte> body, int characters)
    {
        try
        {
            using var document = JsonDocument.Parse(body.ToArray());
            var root = document.RootElement;
            var context = new StringBuilder();
            string? latestUser = null;
            if (root.TryGetProperty("system", out var system))
            {
                AppendText(context, system);
            }

            if (root.TryGetProperty("messages", out var messages) && messages.ValueKind == JsonValueKind.Array)
            {
                foreach (var message in messages.EnumerateArray())
                {
                    if (message.ValueKind != JsonValueKind.Object || !message.TryGetProperty("content", out var content))
                    {
                        continue;
                    }

                    var start = context.Length;
                    AppendText(context, content);
                    if (message.TryGetProperty("role", out var role) && role.ValueEquals("user"u8))
                    {
                        latestUser = context.ToString(start, context.Length - start).Trim();
                    }
                }
            }
            else if (root.TryGetProperty("prompt", out var prompt) || root.TryGetProperty("input", out prompt))
            {
                AppendText(context, prompt);
                latestUser = context.ToString().Trim();
            }

            var all = context.ToString().Trim();
            return (latestUser is null ? null : Head(latestUser, characters), all.Length == 0 ? null : Tail(all, characters));
        }
        catch (JsonException)
        {
            return (null, null);
        }
    }

    private static void AppendText(StringBuilder context, JsonElement content)
    {
        switch (content.ValueKind)
        {
            case JsonValueKind.String:
                Separate(context).Append(content.GetString());
                break;
            case JsonValueKind.Array:
                foreach (var part in content.EnumerateArray())
                {
                    if (part.ValueKind == JsonValueKind.String)
                    {
                        Separate(context).Append(part.GetString());
                    }
                    else if (part.ValueKind == JsonValueKind.Object && part.TryGetProperty("text", out var text) && text.ValueKind == JsonValueKind.String)
                    {
                        Separate(context).Append(text.GetString());
                    }
                }

                break;
        }
    }

    private static StringBuilder Separate(StringBuilder context) => context.Length == 0 ? context : context.Append('\n');

    private static string Head(string text, int characters) => text.Length <= characters ? text : string.Concat(text.AsSpan(0, characters), "…");

    private static string Tail(string text, int characters) => text.Length <= characters ? text : string.Concat("…", text.AsSpan(text.Length - characters));
}
