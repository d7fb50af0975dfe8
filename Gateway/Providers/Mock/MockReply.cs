using System.Text;
using System.Text.Json;
using Gateway.Inbound;

namespace Gateway.Providers.Mock;

/// <summary>The deterministic answer of a mock deployment: fixed text, or the caller's last user message (or prompt) echoed.</summary>
internal sealed record MockReply(IReadOnlyList<string> Pieces, int PromptTokens, int CompletionTokens, bool Truncated)
{
    public string Text => string.Concat(Pieces);

    public static MockReply For(OpenAiOperation operation, JsonElement request, MockBehaviour behaviour, int? maxTokens)
    {
        var prompt = operation == OpenAiOperation.ChatCompletions ? ChatPrompt(request) : TextPrompt(request, "prompt");
        var text = RequestMockResponse(request) ?? behaviour.FixedResponse ?? prompt.Echo;
        var pieces = Split(text);
        var truncated = maxTokens is { } limit && limit >= 0 && pieces.Count > limit;
        if (truncated)
        {
            pieces = pieces.Take(maxTokens!.Value).ToList();
        }

        return new MockReply(pieces, Math.Max(1, prompt.Words), pieces.Count, truncated);
    }

    /// <summary>LiteLLM lets a request carry its own <c>mock_response</c>.</summary>
    private static string? RequestMockResponse(JsonElement request) =>
        request.TryGetProperty("mock_response", out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static (string Echo, int Words) ChatPrompt(JsonElement request)
    {
        if (!request.TryGetProperty("messages", out var messages) || messages.ValueKind != JsonValueKind.Array)
        {
            return (string.Empty, 0);
        }

        var words = 0;
        var lastUser = string.Empty;
        foreach (var message in messages.EnumerateArray())
        {
            var content = message.ValueKind == JsonValueKind.Object && message.TryGetProperty("content", out var c) ? ContentText(c) : string.Empty;
            words += CountWords(content);
            if (message.ValueKind == JsonValueKind.Object && message.TryGetProperty("role", out var role) && role.ValueEquals("user"))
            {
                lastUser = content;
            }
        }

        return (lastUser, words);
    }

    private static (string Echo, int Words) TextPrompt(JsonElement request, string property)
    {
        if (!request.TryGetProperty(property, out var prompt))
        {
            return (string.Empty, 0);
        }

        var texts = prompt.ValueKind switch
        {
            JsonValueKind.String => [prompt.GetString() ?? string.Empty],
            JsonValueKind.Array => prompt.EnumerateArray().Where(p => p.ValueKind == JsonValueKind.String).Select(p => p.GetString() ?? string.Empty).ToList(),
            _ => new List<string>(),
        };
        return (texts.LastOrDefault() ?? string.Empty, texts.Sum(CountWords));
    }

    /// <summary>Text of a message's content: a string, or the text parts of a list of content parts.</summary>
    private static string ContentText(JsonElement content) => content.ValueKind switch
    {
        JsonValueKind.String => content.GetString() ?? string.Empty,
        JsonValueKind.Array => string.Join("\n", content.EnumerateArray()
            .Where(part => part.ValueKind == JsonValueKind.Object && part.TryGetProperty("text", out var t) && t.ValueKind == JsonValueKind.String)
            .Select(part => part.GetProperty("text").GetString())),
        _ => string.Empty,
    };

    public static int CountWords(string text) => text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length;

    /// <summary>Words with their leading whitespace, so the pieces concatenate back to the text (one piece per stream chunk).</summary>
    private static List<string> Split(string text)
    {
        var pieces = new List<string>();
        var current = new StringBuilder();
        foreach (var ch in text)
        {
            if (char.IsWhiteSpace(ch) && current.Length > 0 && !char.IsWhiteSpace(current[^1]))
            {
                pieces.Add(current.ToString());
                current.Clear();
            }

            current.Append(ch);
        }

        if (current.Length > 0)
        {
            pieces.Add(current.ToString());
        }

        return pieces;
    }
}
