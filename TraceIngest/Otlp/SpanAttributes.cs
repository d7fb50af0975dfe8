using System.Text.Json;

namespace TraceIngest.Otlp;

/// <summary>
/// A span's attributes with a record of which ones the mapping used, so that the rest can be kept in the
/// observation's metadata instead of being lost. Reused from span to span.
/// </summary>
internal sealed class SpanAttributes
{
    private readonly List<(string Key, int Index)> _unused = [];
    private OtlpAttributes _attributes = new();
    private bool[] _used = new bool[16];

    public void Reset(OtlpAttributes attributes)
    {
        _attributes = attributes;
        if (_used.Length < attributes.Count)
        {
            _used = new bool[attributes.Count * 2];
        }
        else
        {
            Array.Clear(_used, 0, attributes.Count);
        }
    }

    public bool Has(string key) => _attributes.IndexOf(key) >= 0;

    /// <summary>The value, without counting it as used.</summary>
    public OtlpValue Peek(string key) => _attributes.TryGetValue(key, out var value) ? value : default;

    public OtlpValue Take(string key)
    {
        var index = _attributes.IndexOf(key);
        if (index < 0)
        {
            return default;
        }

        _used[index] = true;
        return _attributes.Value(index);
    }

    /// <summary>The first of the keys with a value; the keys before it that are present without one count as used.</summary>
    public OtlpValue TakeFirst(params ReadOnlySpan<string> keys)
    {
        foreach (var key in keys)
        {
            if (Take(key) is { IsNull: false } value)
            {
                return value;
            }
        }

        return default;
    }

    public string? TakeString(params ReadOnlySpan<string> keys) => TakeFirst(keys).Text();

    public double? TakeNumber(params ReadOnlySpan<string> keys) => TakeFirst(keys).Number();

    /// <summary>
    /// The next attribute after <paramref name="after"/> (-1 to start) whose key is <paramref name="prefix"/> and
    /// more, counted as used; -1 when there is none.
    /// </summary>
    public int NextWithPrefix(string prefix, int after)
    {
        for (var i = after + 1; i < _attributes.Count; i++)
        {
            var key = _attributes.Key(i);
            if (key.Length > prefix.Length && key.StartsWith(prefix, StringComparison.Ordinal))
            {
                _used[i] = true;
                return i;
            }
        }

        return -1;
    }

    public string Key(int index) => _attributes.Key(index);

    public OtlpValue Value(int index) => _attributes.Value(index);

    public bool HasUnused()
    {
        for (var i = 0; i < _attributes.Count; i++)
        {
            if (!_used[i])
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The attributes not used so far, as one JSON object in key order.</summary>
    public void WriteUnused(Utf8JsonWriter json)
    {
        _unused.Clear();
        for (var i = 0; i < _attributes.Count; i++)
        {
            if (!_used[i])
            {
                _unused.Add((_attributes.Key(i), i));
            }
        }

        _unused.Sort(static (x, y) => string.CompareOrdinal(x.Key, y.Key));
        json.WriteStartObject();
        foreach (var (key, index) in _unused)
        {
            json.WritePropertyName(key);
            _attributes.Value(index).WriteTo(json);
        }

        json.WriteEndObject();
    }
}
