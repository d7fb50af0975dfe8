using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace TraceUi.Components.Traces;

/// <summary>A chat message as shown: the role, its text parts joined, and whatever else it carried (tool calls, images) as JSON.</summary>
public sealed record ChatMessage(string Role, string? Name, string? Text, JsonObject? Rest)
{
    /// <summary>The role as a CSS class suffix: only letters, so stored text can never add classes.</summary>
    public string RoleClass => Role is "system" or "user" or "assistant" or "tool" or "developer" ? Role : "other";
}

/// <summary>
/// Recognises the message lists of chat APIs in stored content: an array of objects with a string <c>role</c>,
/// an object with such a <c>messages</c> array (plus other keys), or one message object.
/// </summary>
public static class ChatMessages
{
    public static IReadOnlyList<ChatMessage>? Find(JsonNode? content) => content switch
    {
        JsonArray array when IsMessageList(array) => array.Select(m => Read(m!.AsObject())).ToList(),
        JsonObject obj when obj["messages"] is JsonArray array && IsMessageList(array) => array.Select(m => Read(m!.AsObject())).ToList(),
        JsonObject obj when IsMessage(obj) => [Read(obj)],
        _ => null,
    };

    private static bool IsMessageList(JsonArray array) => array.Count > 0 && array.All(m => m is JsonObject obj && IsMessage(obj));

    private static bool IsMessage(JsonObject obj) =>
        obj["role"] is JsonValue role && role.GetValueKind() == JsonValueKind.String && (obj.ContainsKey("content") || obj.ContainsKey("tool_calls"));

    private static ChatMessage Read(JsonObject message)
    {
        var rest = new JsonObject();
        string? text = null;
        foreach (var (key, value) in message)
        {
            switch (key)
            {
                case "role":
                    break;
                case "name" when value is JsonValue:
                    break;
                case "content" when value is JsonValue v && v.GetValueKind() == JsonValueKind.String:
                    text = v.GetValue<string>();
                    break;
                case "content" when value is JsonArray parts && TextOf(parts) is { } joined:
                    text = joined;
                    var others = new JsonArray(parts.Where(p => !IsTextPart(p)).Select(p => p?.DeepClone()).ToArray());
                    if (others.Count > 0)
                    {
                        rest["content"] = others;
                    }

                    break;
                default:
                    rest[key] = value?.DeepClone();
                    break;
            }
        }

        var name = message["name"] is JsonValue n && n.GetValueKind() == JsonValueKind.String ? n.GetValue<string>() : null;
        return new ChatMessage(message["role"]!.GetValue<string>(), name, text, rest.Count == 0 ? null : rest);
    }

    private static bool IsTextPart(JsonNode? part) =>
        part is JsonObject obj && obj["type"]?.GetValueKind() == JsonValueKind.String && obj["type"]!.GetValue<string>() is "text" or "input_text" or "output_text"
        && obj["text"]?.GetValueKind() == JsonValueKind.String;

    private static string? TextOf(JsonArray parts)
    {
        var texts = parts.Where(IsTextPart).Select(p => p!["text"]!.GetValue<string>()).ToList();
        if (texts.Count == 0)
        {
            return null;
        }

        var builder = new StringBuilder();
        foreach (var text in texts)
        {
            builder.Append(builder.Length > 0 ? "\n\n" : "").Append(text);
        }

        return builder.ToString();
    }
}
