namespace TraceIngest.Otlp;

/// <summary>
/// Attributes in wire order; a repeated key keeps its first place and takes its last value. Reused from span to
/// span: spans carry a handful of attributes, so lookups scan, and only a long list gets an index.
/// </summary>
public sealed class OtlpAttributes
{
    private const int ScanLimit = 16;
    private string[] _keys = new string[8];
    private OtlpValue[] _values = new OtlpValue[8];
    private Dictionary<string, int>? _index;

    public int Count { get; private set; }

    public string Key(int index) => _keys[index];

    public OtlpValue Value(int index) => _values[index];

    public int IndexOf(string key)
    {
        if (_index is not null)
        {
            return _index.TryGetValue(key, out var found) ? found : -1;
        }

        for (var i = 0; i < Count; i++)
        {
            if (string.Equals(_keys[i], key, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    public bool TryGetValue(string key, out OtlpValue value)
    {
        var index = IndexOf(key);
        value = index < 0 ? default : _values[index];
        return index >= 0;
    }

    public void Set(string key, OtlpValue value)
    {
        var existing = IndexOf(key);
        if (existing >= 0)
        {
            _values[existing] = value;
            return;
        }

        if (Count == _keys.Length)
        {
            Array.Resize(ref _keys, Count * 2);
            Array.Resize(ref _values, Count * 2);
        }

        _keys[Count] = key;
        _values[Count] = value;
        Count++;
        if (_index is not null)
        {
            _index[key] = Count - 1;
        }
        else if (Count > ScanLimit)
        {
            _index = new Dictionary<string, int>(Count * 2, StringComparer.Ordinal);
            for (var i = 0; i < Count; i++)
            {
                _index[_keys[i]] = i;
            }
        }
    }

    public void Clear()
    {
        Array.Clear(_keys, 0, Count);
        Array.Clear(_values, 0, Count);
        Count = 0;
        _index = null;
    }
}
