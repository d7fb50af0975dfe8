using System.Text.Json;

namespace Gateway.Inbound;

/// <summary>
/// The few fields routing and governance need, picked out of the body with one <see cref="Utf8JsonReader"/>
/// pass (which also validates the whole document); everything else stays bytes.
/// </summary>
internal readonly record struct InboundFields(
    string Model,
    int ModelTokenStart,
    int ModelTokenLength,
    bool Stream,
    string? User,
    int? MaxTokens)
{
    public static bool TryParse(ReadOnlySpan<byte> json, out InboundFields fields, out string? error, out string? errorParam)
    {
        fields = default;
        errorParam = null;
        string? model = null, user = null;
        int modelStart = 0, modelLength = 0;
        int? maxTokens = null;
        var stream = false;
        if (json.Trim(" \t\r\n"u8).IsEmpty)
        {
            error = "The request body is empty; send a JSON object.";
            return false;
        }

        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
            reader.Read();
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                error = "The request body must be a JSON object.";
                return false;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("model"u8))
                {
                    reader.Read();
                    if (reader.TokenType != JsonTokenType.String)
                    {
                        error = "'model' must be a string.";
                        errorParam = "model";
                        return false;
                    }

                    model = reader.GetString();
                    modelStart = (int)reader.TokenStartIndex;
                    modelLength = reader.ValueSpan.Length + 2;
                }
                else if (reader.ValueTextEquals("stream"u8))
                {
                    reader.Read();
                    stream = reader.TokenType == JsonTokenType.True;
                }
                else if (reader.ValueTextEquals("user"u8))
                {
                    reader.Read();
                    user = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                }
                else if (reader.ValueTextEquals("max_tokens"u8) || reader.ValueTextEquals("max_completion_tokens"u8))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var value))
                    {
                        maxTokens = value;
                    }
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }

            // Reading past the object's end rejects trailing content.
            while (reader.Read())
            {
            }
        }
        catch (JsonException exception)
        {
            error = $"The request body is not valid JSON: {exception.Message}";
            return false;
        }

        if (string.IsNullOrEmpty(model))
        {
            error = "You must provide a model parameter.";
            errorParam = "model";
            return false;
        }

        fields = new InboundFields(model, modelStart, modelLength, stream, user, maxTokens);
        error = null;
        return true;
    }
}
