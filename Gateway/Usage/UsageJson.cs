using System.Text.Json;

namespace Gateway.Usage;

/// <summary>Reads the top-level <c>usage</c> object of an OpenAI response or stream chunk, validating the document as it goes.</summary>
internal static class UsageJson
{
    /// <summary>False when <paramref name="json"/> is not one JSON object; otherwise the usage it carries, if any.</summary>
    public static bool TryRead(ReadOnlySpan<byte> json, out TokenUsage? usage)
    {
        usage = null;
        try
        {
            var reader = new Utf8JsonReader(json);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isUsage = reader.ValueTextEquals("usage"u8);
                reader.Read();
                if (isUsage && reader.TokenType == JsonTokenType.StartObject)
                {
                    usage = ReadUsage(ref reader);
                }
                else
                {
                    reader.Skip();
                }
            }

            while (reader.Read())
            {
            }

            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static TokenUsage ReadUsage(ref Utf8JsonReader reader)
    {
        int prompt = 0, completion = 0, total = 0, cached = 0, cacheCreation = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            ref var target = ref prompt;
            var known = true;
            if (reader.ValueTextEquals("prompt_tokens"u8))
            {
                target = ref prompt;
            }
            else if (reader.ValueTextEquals("completion_tokens"u8))
            {
                target = ref completion;
            }
            else if (reader.ValueTextEquals("total_tokens"u8))
            {
                target = ref total;
            }
            else if (reader.ValueTextEquals("cache_creation_input_tokens"u8))
            {
                // LiteLLM's field for tokens written to an Anthropic prompt cache.
                target = ref cacheCreation;
            }
            else if (reader.ValueTextEquals("prompt_tokens_details"u8))
            {
                reader.Read();
                cached = reader.TokenType == JsonTokenType.StartObject ? ReadCachedTokens(ref reader) : SkipValue(ref reader);
                continue;
            }
            else
            {
                known = false;
            }

            reader.Read();
            if (known && reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var value))
            {
                target = value;
            }
            else
            {
                reader.Skip();
            }
        }

        return new TokenUsage(prompt, completion, total == 0 ? prompt + completion : total, cached, cacheCreation);
    }

    private static int ReadCachedTokens(ref Utf8JsonReader reader)
    {
        var cached = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isCached = reader.ValueTextEquals("cached_tokens"u8);
            reader.Read();
            if (isCached && reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var value))
            {
                cached = value;
            }
            else
            {
                reader.Skip();
            }
        }

        return cached;
    }

    private static int SkipValue(ref Utf8JsonReader reader)
    {
        reader.Skip();
        return 0;
    }
}
