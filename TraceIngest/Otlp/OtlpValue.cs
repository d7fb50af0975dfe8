using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace TraceIngest.Otlp;

public enum OtlpValueKind : byte
{
    /// <summary>An AnyValue with nothing set, or no value at all: JSON null.</summary>
    Null,
    String,
    Bool,
    Int,
    Double,
    Array,
    KeyValues,
}

/// <summary>
/// One OTLP AnyValue. It maps onto JSON one to one (bytes become base64 strings); arrays and key-value lists are
/// kept already encoded as JSON, since the mapping mostly copies them and only rarely looks inside.
/// </summary>
public readonly struct OtlpValue
{
    private readonly string? _text;
    private readonly byte[]? _json;
    private readonly long _integer;
    private readonly double _double;

    private OtlpValue(OtlpValueKind kind, string? text = null, long integer = 0, double number = 0, byte[]? json = null)
    {
        Kind = kind;
        _text = text;
        _integer = integer;
        _double = number;
        _json = json;
    }

    public OtlpValueKind Kind { get; }

    public bool IsNull => Kind == OtlpValueKind.Null;

    public static OtlpValue String(string? text) => text is null ? default : new(OtlpValueKind.String, text);

    public static OtlpValue Bool(bool value) => new(OtlpValueKind.Bool, integer: value ? 1 : 0);

    public static OtlpValue Int(long value) => new(OtlpValueKind.Int, integer: value);

    public static OtlpValue Double(double value) => new(OtlpValueKind.Double, number: value);

    public static OtlpValue Array(IReadOnlyList<OtlpValue> items) =>
        new(OtlpValueKind.Array, json: Encode(json =>
        {
            json.WriteStartArray();
            foreach (var item in items)
            {
                item.WriteTo(json);
            }

            json.WriteEndArray();
        }));

    /// <summary>A key-value list; a repeated key keeps its first place and its last value, as attributes do.</summary>
    public static OtlpValue KeyValues(OtlpAttributes pairs) =>
        new(OtlpValueKind.KeyValues, json: Encode(json =>
        {
            json.WriteStartObject();
            for (var i = 0; i < pairs.Count; i++)
            {
                json.WritePropertyName(pairs.Key(i));
                pairs.Value(i).WriteTo(json);
            }

            json.WriteEndObject();
        }));

    /// <summary>The JSON of an array or key-value list.</summary>
    public byte[] EncodedJson => _json ?? throw new InvalidOperationException($"A {Kind} value has no encoded JSON");

    public bool IsBoolTrue => Kind == OtlpValueKind.Bool && _integer != 0;

    /// <summary>The value as text: strings as they are, anything else as its JSON.</summary>
    public string? Text() => Kind switch
    {
        OtlpValueKind.Null => null,
        OtlpValueKind.String => _text,
        OtlpValueKind.Bool => _integer != 0 ? "true" : "false",
        OtlpValueKind.Int => _integer.ToString(CultureInfo.InvariantCulture),
        OtlpValueKind.Double => _double.ToString(CultureInfo.InvariantCulture),
        _ => Encoding.UTF8.GetString(_json!),
    };

    /// <summary>A number, or a string that holds one; anything else is not a number.</summary>
    public double? Number() => Kind switch
    {
        OtlpValueKind.Int => _integer,
        OtlpValueKind.Double => _double,
        OtlpValueKind.String when double.TryParse(_text, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) => parsed,
        _ => null,
    };

    public void WriteTo(Utf8JsonWriter json)
    {
        switch (Kind)
        {
            case OtlpValueKind.String: json.WriteStringValue(_text); break;
            case OtlpValueKind.Bool: json.WriteBooleanValue(_integer != 0); break;
            case OtlpValueKind.Int: json.WriteNumberValue(_integer); break;
            case OtlpValueKind.Double: WriteDouble(json, _double); break;
            case OtlpValueKind.Array or OtlpValueKind.KeyValues: json.WriteRawValue(_json, skipInputValidation: true); break;
            default: json.WriteNullValue(); break;
        }
    }

    /// <summary>
    /// Writes the value, a string that holds JSON (SDKs send objects that way) as that JSON. Only strings starting
    /// with <c>{</c>, <c>[</c> or <c>"</c> are candidates; one that does not parse stays a string.
    /// </summary>
    public void WriteParsedTo(Utf8JsonWriter json)
    {
        if (!MayBeJson)
        {
            WriteTo(json);
            return;
        }

        var rented = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(_text!.Length));
        try
        {
            var utf8 = rented.AsSpan(0, Encoding.UTF8.GetBytes(_text, rented));
            if (IsJson(utf8))
            {
                json.WriteRawValue(utf8, skipInputValidation: true);
            }
            else
            {
                json.WriteStringValue(_text);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>
    /// The value as a JSON document when it is structured (an array, a key-value list, or a string holding JSON),
    /// for the few mappings that look inside; null for a scalar.
    /// </summary>
    public JsonDocument? ParseStructured()
    {
        if (Kind is OtlpValueKind.Array or OtlpValueKind.KeyValues)
        {
            return JsonDocument.Parse(_json);
        }

        if (!MayBeJson)
        {
            return null;
        }

        try
        {
            return JsonDocument.Parse(_text!);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>JSON numbers cannot be NaN or infinite; OTLP/JSON writes those as strings, and so does this.</summary>
    public static void WriteDouble(Utf8JsonWriter json, double value)
    {
        if (double.IsFinite(value))
        {
            json.WriteNumberValue(value);
        }
        else
        {
            json.WriteStringValue(value.ToString(CultureInfo.InvariantCulture));
        }
    }

    private bool MayBeJson => Kind == OtlpValueKind.String && _text!.Length > 1 && _text[0] is '{' or '[' or '"';

    private static bool IsJson(ReadOnlySpan<byte> utf8)
    {
        var reader = new Utf8JsonReader(utf8);
        try
        {
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

    private static byte[] Encode(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            write(json);
        }

        return buffer.WrittenSpan.ToArray();
    }
}
