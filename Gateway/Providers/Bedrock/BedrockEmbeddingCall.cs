using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Text.Json;
using Gateway.Inbound;
using Gateway.Routing;
using Gateway.Usage;

namespace Gateway.Providers.Bedrock;

/// <summary>
/// OpenAI embeddings through Bedrock's InvokeModel: Titan text embeddings take one text per call
/// (<c>{"inputText"}</c> → <c>{"embedding","inputTextTokenCount"}</c>), Cohere takes the list at once
/// (<c>{"texts","input_type"}</c> → <c>{"embeddings"}</c>, tokens from <c>X-Amzn-Bedrock-Input-Token-Count</c>).
/// Vectors go back as floats, or as base64 little-endian float32 when <c>encoding_format</c> is <c>base64</c>.
/// </summary>
internal static class BedrockEmbeddingCall
{
    private const int MaxAnswerBytes = 64 * 1024 * 1024;
    private const int CohereMaxTexts = 96;

    public static async ValueTask<AttemptOutcome> SendAsync(GatewayCall call, Deployment deployment, BedrockRuntimeClient client)
    {
        List<string> inputs;
        bool base64;
        int? dimensions;
        string inputType;
        using (var request = JsonDocument.Parse(call.Body.Memory))
        {
            var root = request.RootElement;
            var input = root.TryGetProperty("input", out var i) ? i : default;
            inputs = input.ValueKind switch
            {
                JsonValueKind.String => [input.GetString()!],
                JsonValueKind.Array when input.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String) => input.EnumerateArray().Select(e => e.GetString()!).ToList(),
                _ => [],
            };
            base64 = root.TryGetProperty("encoding_format", out var format) && format.ValueEquals("base64");
            dimensions = root.TryGetProperty("dimensions", out var d) && d.TryGetInt32(out var value) ? value : null;
            inputType = root.TryGetProperty("input_type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString()! : "search_document";
        }

        var cohere = client.Target.Family == BedrockModelFamily.CohereEmbedding;
        if (inputs.Count == 0 || inputs.Any(text => text.Length == 0) || (cohere && inputs.Count > CohereMaxTexts))
        {
            call.WriteGatewayHeaders(deployment);
            await OpenAiErrors.InvalidRequest(StatusCodes.Status400BadRequest,
                    cohere ? $"'input' must be a non-empty string or a list of 1 to {CohereMaxTexts} non-empty strings for Bedrock's Cohere embeddings."
                        : "'input' must be a non-empty string or a list of non-empty strings (token arrays cannot be sent to Bedrock).", "input")
                .ExecuteAsync(call.Context);
            return AttemptOutcome.PassedThrough;
        }

        using var timer = new UpstreamTimer(deployment.Timeout, call.Aborted);
        var vectors = new List<float[]>(inputs.Count);
        var tokens = 0;
        call.BeginUpstreamWait();
        var batches = cohere ? [inputs] : inputs.Select(text => new List<string> { text }).ToList();
        foreach (var batch in batches)
        {
            var body = RequestBody(client.Target, batch, cohere, dimensions, inputType);
            var (response, outcome) = await client.SendAsync(call, deployment, client.Target.ActionUri("invoke"), body, "application/json", timer);
            if (response is null)
            {
                call.EndUpstreamWait();
                return outcome;
            }

            using (response)
            {
                try
                {
                    var (buffer, length) = await BedrockRuntimeClient.ReadAsync(response, MaxAnswerBytes, timer);
                    try
                    {
                        tokens += ReadAnswer(buffer.AsSpan(0, length), cohere, batch.Count, vectors)
                            ?? (response.Headers.TryGetValues("X-Amzn-Bedrock-Input-Token-Count", out var counts)
                                && int.TryParse(counts.FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out var count) ? count : 0);
                    }
                    finally
                    {
                        ArrayPool<byte>.Shared.Return(buffer);
                    }
                }
                catch (Exception exception) when (exception is OperationCanceledException or HttpRequestException or IOException)
                {
                    call.EndUpstreamWait();
                    return timer.Outcome(call, FailureKind.Connection);
                }
                catch (Exception exception) when (exception is JsonException or FormatException or InvalidOperationException)
                {
                    call.EndUpstreamWait();
                    return AttemptOutcome.Failed(FailureKind.Malformed, (int)response.StatusCode);
                }
            }
        }

        call.EndUpstreamWait();
        call.Usage = new TokenUsage(tokens, 0, tokens);
        var answer = WriteAnswer(client.Target.ModelId, vectors, base64, tokens);
        var caller = call.Context.Response;
        caller.ContentType = "application/json";
        caller.ContentLength = answer.WrittenCount;
        call.WriteGatewayHeaders(deployment);
        await caller.Body.WriteAsync(answer.WrittenMemory, call.Aborted);
        return AttemptOutcome.Served;
    }

    private static ReadOnlyMemory<byte> RequestBody(BedrockTarget target, List<string> texts, bool cohere, int? dimensions, string inputType)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            if (cohere)
            {
                json.WriteStartArray("texts");
                texts.ForEach(json.WriteStringValue);
                json.WriteEndArray();
                json.WriteString("input_type", inputType);
            }
            else
            {
                json.WriteString("inputText", texts[0]);
                if (dimensions is { } size && BedrockModelFamilies.BaseModel(target.ModelId).StartsWith("amazon.titan-embed-text-v2", StringComparison.Ordinal))
                {
                    json.WriteNumber("dimensions", size);
                }
            }

            json.WriteEndObject();
        }

        return buffer.WrittenMemory;
    }

    /// <summary>Adds the answer's vectors; returns its token count when the body has one.</summary>
    private static int? ReadAnswer(ReadOnlySpan<byte> body, bool cohere, int expected, List<float[]> vectors)
    {
        var reader = new Utf8JsonReader(body);
        using var document = JsonDocument.ParseValue(ref reader);
        var root = document.RootElement;
        if (!cohere)
        {
            vectors.Add(Vector(root.GetProperty("embedding")));
            return root.TryGetProperty("inputTextTokenCount", out var count) && count.TryGetInt32(out var value) ? value : null;
        }

        var embeddings = root.GetProperty("embeddings");
        if (embeddings.ValueKind == JsonValueKind.Object)
        {
            embeddings = embeddings.GetProperty("float");
        }

        if (embeddings.GetArrayLength() != expected)
        {
            throw new FormatException($"Cohere answered {embeddings.GetArrayLength()} embeddings for {expected} texts");
        }

        vectors.AddRange(embeddings.EnumerateArray().Select(Vector));
        return null;
    }

    private static float[] Vector(JsonElement values) => values.EnumerateArray().Select(v => v.GetSingle()).ToArray();

    private static ArrayBufferWriter<byte> WriteAnswer(string model, List<float[]> vectors, bool base64, int tokens)
    {
        var buffer = new ArrayBufferWriter<byte>(vectors.Sum(v => v.Length) * 12 + 256);
        using var json = new Utf8JsonWriter(buffer);
        json.WriteStartObject();
        json.WriteString("object", "list");
        json.WriteStartArray("data");
        for (var i = 0; i < vectors.Count; i++)
        {
            json.WriteStartObject();
            json.WriteString("object", "embedding");
            json.WriteNumber("index", i);
            if (base64)
            {
                var bytes = new byte[vectors[i].Length * 4];
                for (var j = 0; j < vectors[i].Length; j++)
                {
                    BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(j * 4), vectors[i][j]);
                }

                json.WriteBase64String("embedding", bytes);
            }
            else
            {
                json.WriteStartArray("embedding");
                foreach (var value in vectors[i])
                {
                    json.WriteNumberValue(value);
                }

                json.WriteEndArray();
            }

            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteString("model", model);
        json.WriteStartObject("usage");
        json.WriteNumber("prompt_tokens", tokens);
        json.WriteNumber("total_tokens", tokens);
        json.WriteEndObject();
        json.WriteEndObject();
        json.Flush();
        return buffer;
    }
}
