using System.Runtime.CompilerServices;
using System.Text.Json;

namespace Gateway.Inbound;

/// <summary>
/// Where the sampling parameters a call sent (<c>temperature</c>, <c>max_tokens</c>, <c>top_p</c>, …) lie in its body,
/// noted during the one parse of the body so traces can name them without reading the body again. Only values
/// Langfuse's <c>modelParameters</c> accepts are noted: numbers, strings, booleans and arrays of strings.
/// </summary>
internal struct ModelParameters
{
    public const int Capacity = 8;

    // OpenAI's and Anthropic's names; a passed-through Anthropic body is parsed as it is.
    private static readonly string[] Names =
    [
        "temperature", "top_p", "top_k", "max_tokens", "max_completion_tokens", "frequency_penalty", "presence_penalty",
        "seed", "n", "stop", "stop_sequences", "reasoning_effort", "parallel_tool_calls", "tool_choice",
    ];

    private Slots _slots;
    private int _count;

    public readonly int Count => _count;

    public readonly string Name(int index) => Names[_slots[index].Name];

    /// <summary>The value's JSON as the caller wrote it.</summary>
    public readonly ReadOnlySpan<byte> Value(ReadOnlySpan<byte> body, int index) => body.Slice(_slots[index].Start, _slots[index].Length);

    /// <summary>Notes the value the reader is on when <paramref name="name"/> is a sampling parameter; leaves the reader where it was.</summary>
    public void TryNote(ReadOnlySpan<byte> name, in Utf8JsonReader reader)
    {
        if (_count == Capacity)
        {
            return;
        }

        for (var i = 0; i < Names.Length; i++)
        {
            if (name.SequenceEqual(NameBytes[i]))
            {
                if (IsScalarOrStrings(reader))
                {
                    var end = reader.TokenType == JsonTokenType.StartArray ? EndOfArray(reader) : reader.BytesConsumed;
                    _slots[_count++] = new Slot((byte)i, (int)reader.TokenStartIndex, (int)(end - reader.TokenStartIndex));
                }

                return;
            }
        }
    }

    /// <summary>The parameters as one JSON object, e.g. <c>{"temperature":0.2,"max_tokens":64}</c>; null when there are none.</summary>
    public readonly byte[]? ToJson(ReadOnlySpan<byte> body)
    {
        if (_count == 0)
        {
            return null;
        }

        var length = 1;
        for (var i = 0; i < _count; i++)
        {
            length += NameBytes[_slots[i].Name].Length + 3 + _slots[i].Length + 1;
        }

        var json = new byte[length];
        var at = 0;
        json[at++] = (byte)'{';
        for (var i = 0; i < _count; i++)
        {
            if (i > 0)
            {
                json[at++] = (byte)',';
            }

            json[at++] = (byte)'"';
            NameBytes[_slots[i].Name].CopyTo(json, at);
            at += NameBytes[_slots[i].Name].Length;
            json[at++] = (byte)'"';
            json[at++] = (byte)':';
            Value(body, i).CopyTo(json.AsSpan(at));
            at += _slots[i].Length;
        }

        json[at] = (byte)'}';
        return json;
    }

    private static readonly byte[][] NameBytes = Names.Select(System.Text.Encoding.UTF8.GetBytes).ToArray();

    private static bool IsScalarOrStrings(in Utf8JsonReader reader)
    {
        if (reader.TokenType is JsonTokenType.Number or JsonTokenType.String or JsonTokenType.True or JsonTokenType.False)
        {
            return true;
        }

        if (reader.TokenType != JsonTokenType.StartArray)
        {
            return false;
        }

        var copy = reader;
        while (copy.Read() && copy.TokenType != JsonTokenType.EndArray)
        {
            if (copy.TokenType != JsonTokenType.String)
            {
                return false;
            }
        }

        return copy.TokenType == JsonTokenType.EndArray;
    }

    private static long EndOfArray(Utf8JsonReader reader)
    {
        reader.Skip();
        return reader.BytesConsumed;
    }

    private readonly record struct Slot(byte Name, int Start, int Length);

    [InlineArray(Capacity)]
    private struct Slots
    {
        private Slot _first;
    }
}
