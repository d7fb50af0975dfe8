using System.Text.Json;

namespace Gateway.Inbound;

/// <summary>
/// The few fields routing and governance need, picked out of the body with one <see cref="Utf8JsonReader"/>
/// pass (which also validates the whole document); everything else stays bytes.
/// </summary>
/// <param name="Model">The model group the call names: the body's <c>model</c>, or the deployment of an Azure-style path.</param>
/// <param name="BodyModel">The body's <c>model</c>, or null when it has none.</param>
/// <param name="ModelTokenStart">Where the body's <c>model</c> value starts; without one, just after the object's <c>{</c>.</param>
/// <param name="ModelTokenLength">The length of the body's <c>model</c> value with its quotes; 0 without one.</param>
internal readonly record struct InboundFields(
    string Model,
    string? BodyModel,
    int ModelTokenStart,
    int ModelTokenLength,
    bool Stream,
    string? User,
    int? MaxTokens)
{
    /// <summary>Where the call's sampling parameters lie in its body, for traces.</summary>
    public ModelParameters Parameters { get; init; }

    // English averages about four bytes a token; counting low keeps a prompt that fits from being sent elsewhere.
    private const int BytesPerToken = 4;

    /// <summary>Bytes of the prompt as sent (<c>messages</c>, <c>prompt</c> or <c>input</c>), JSON included.</summary>
    public int PromptBytes { get; init; }

    /// <summary>A cheap estimate of the prompt's tokens, for <c>tpm</c> limits and context-window checks; 0 when unknown.</summary>
    public int EstimatedPromptTokens => PromptBytes / BytesPerToken;

    /// <param name="pathModel">The model group named by the request path (Azure OpenAI's deployment), which wins over the body's.</param>
    public static bool TryParse(ReadOnlySpan<byte> json, string? pathModel, out InboundFields fields, out string? error, out string? errorParam)
    {
        fields = default;
        errorParam = null;
        string? model = null, user = null;
        int modelStart = 0, modelLength = 0;
        int? maxTokens = null;
        var stream = false;
        var promptBytes = 0;
        var parameters = default(ModelParameters);
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

            modelStart = (int)reader.TokenStartIndex + 1;
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
                    var name = reader.ValueSpan;
                    reader.Read();
                    parameters.TryNote(name, reader);
                    if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var value))
                    {
                        maxTokens = value;
                    }
                }
                else if (reader.ValueTextEquals("messages"u8) || reader.ValueTextEquals("prompt"u8) || reader.ValueTextEquals("input"u8))
                {
                    reader.Read();
                    var start = reader.TokenStartIndex;
                    reader.Skip();
                    promptBytes += (int)(reader.BytesConsumed - start);
                }
                else
                {
                    var name = reader.ValueSpan;
                    reader.Read();
                    parameters.TryNote(name, reader);
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

        var routed = string.IsNullOrEmpty(pathModel) ? model : pathModel;
        if (string.IsNullOrEmpty(routed))
        {
            error = "You must provide a model parameter.";
            errorParam = "model";
            return false;
        }

        fields = new InboundFields(routed, modelLength > 0 ? model : null, modelStart, modelLength, stream, user, maxTokens) { PromptBytes = promptBytes, Parameters = parameters };
        error = null;
        return true;
    }
}
