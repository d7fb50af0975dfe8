using System.Runtime.InteropServices;
using System.Text;

namespace Storage.TraceStore.Chdb;

/// <summary>
/// Query parameters laid out as the <c>*_with_params_n</c> functions take them: arrays of pointers and byte
/// lengths in unmanaged memory, so values may hold any byte, NUL included, and nothing moves during the call.
/// </summary>
internal sealed unsafe class ChdbParameterBlock : IDisposable
{
    private readonly void* _memory;

    public ChdbParameterBlock(IReadOnlyList<KeyValuePair<string, string>> parameters)
    {
        Count = (nuint)parameters.Count;
        if (parameters.Count == 0)
        {
            return;
        }

        var textBytes = 0;
        foreach (var (name, value) in parameters)
        {
            textBytes += Encoding.UTF8.GetByteCount(name) + Encoding.UTF8.GetByteCount(value);
        }

        var count = parameters.Count;
        var tableBytes = (nuint)(4 * count * sizeof(nint));
        _memory = NativeMemory.Alloc(tableBytes + (nuint)textBytes);
        Names = (byte**)_memory;
        Values = Names + count;
        NameLengths = (nuint*)(Values + count);
        ValueLengths = NameLengths + count;

        var text = (byte*)_memory + tableBytes;
        var offset = 0;
        for (var i = 0; i < count; i++)
        {
            var (name, value) = parameters[i];
            Names[i] = text + offset;
            NameLengths[i] = (nuint)Write(name, text, textBytes, ref offset);
            Values[i] = text + offset;
            ValueLengths[i] = (nuint)Write(value, text, textBytes, ref offset);
        }
    }

    public nuint Count { get; }
    public byte** Names { get; }
    public nuint* NameLengths { get; }
    public byte** Values { get; }
    public nuint* ValueLengths { get; }

    public void Dispose()
    {
        if (_memory is not null)
        {
            NativeMemory.Free(_memory);
        }
    }

    private static int Write(string text, byte* destination, int capacity, ref int offset)
    {
        var length = Encoding.UTF8.GetBytes(text, new Span<byte>(destination + offset, capacity - offset));
        offset += length;
        return length;
    }
}
