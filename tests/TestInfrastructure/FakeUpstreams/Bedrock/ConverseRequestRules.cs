using System.Text.Json.Nodes;

namespace TestInfrastructure;

/// <summary>
/// The checks Bedrock's Converse API makes before calling a model, with its ValidationException messages: known
/// top-level fields only, a conversation that starts with the user and alternates roles, no empty content or
/// blank text, tool blocks only with a <c>toolConfig</c>, and a positive <c>maxTokens</c>.
/// </summary>
internal static class ConverseRequestRules
{
    private static readonly HashSet<string> TopLevel =
    [
        "messages", "system", "inferenceConfig", "toolConfig", "guardrailConfig", "additionalModelRequestFields",
        "promptVariables", "additionalModelResponseFieldPaths", "requestMetadata", "performanceConfig",
    ];

    public static string? Violation(JsonNode? body)
    {
        if (body is not JsonObject request)
        {
            return "Malformed input request, please reformat your input and try again.";
        }

        if (request.Select(p => p.Key).FirstOrDefault(k => !TopLevel.Contains(k)) is { } unknown)
        {
            return $"Malformed input request: extraneous key [{unknown}] is not permitted, please reformat your input and try again.";
        }

        if (request["messages"] is not JsonArray messages || messages.Count == 0)
        {
            return "A conversation must start with a user message. Try again with a conversation that starts with a user message.";
        }

        var usesTools = false;
        string? previous = null;
        for (var i = 0; i < messages.Count; i++)
        {
            var role = messages[i]?["role"]?.GetValue<string>();
            if (i == 0 && role != "user")
            {
                return "A conversation must start with a user message. Try again with a conversation that starts with a user message.";
            }

            if (role is not ("user" or "assistant") || role == previous)
            {
                return "A conversation must alternate between user and assistant roles. Make sure the conversation alternates between user and assistant roles and try again.";
            }

            previous = role;
            if (messages[i]?["content"] is not JsonArray content || content.Count == 0)
            {
                return $"The content field in the Message object at messages.{i} is empty. Add a ContentBlock object to the content field and try again.";
            }

            for (var j = 0; j < content.Count; j++)
            {
                var block = content[j] as JsonObject;
                if (block?["text"] is JsonValue text && string.IsNullOrWhiteSpace(text.GetValue<string>()))
                {
                    return $"The text field in the ContentBlock object at messages.{i}.content.{j} is blank. Add text to the text field, and try again.";
                }

                usesTools |= block?.ContainsKey("toolUse") == true || block?.ContainsKey("toolResult") == true;
            }
        }

        if (usesTools && request["toolConfig"] is null)
        {
            return "The toolConfig field must be defined when using toolUse and toolResult content blocks.";
        }

        if (request["inferenceConfig"]?["maxTokens"] is JsonValue maxTokens && maxTokens.GetValue<int>() < 1)
        {
            return "1 validation error detected: Value at 'inferenceConfig.maxTokens' failed to satisfy constraint: Member must have value greater than or equal to 1";
        }

        return null;
    }
}
