using System.Text.Json;

namespace Gateway.Inbound;

/// <summary>
/// A request body with another model name, without re-serialising it: the body's <c>model</c> value is replaced,
/// or the field is added first when the body has none (Azure-style paths name the model in the URL).
/// </summary>
internal static class ModelNameSplice
{
    public static (byte[] Array, int Length) Apply(ReadOnlySpan<byte> body, InboundFields fields, JsonEncodedText model)
    {
        var name = model.EncodedUtf8Bytes;
        var inserted = fields.ModelTokenLength == 0;
        ReadOnlySpan<byte> prefix = inserted ? "\"model\":"u8 : [];
        ReadOnlySpan<byte> separator = inserted && body[fields.ModelTokenStart..].TrimStart(" \t\r\n"u8)[0] != (byte)'}' ? ","u8 : [];
        var suffixStart = fields.ModelTokenStart + fields.ModelTokenLength;
        var rewritten = new byte[body.Length - fields.ModelTokenLength + prefix.Length + name.Length + 2 + separator.Length];
        body[..fields.ModelTokenStart].CopyTo(rewritten);
        var at = fields.ModelTokenStart;
        prefix.CopyTo(rewritten.AsSpan(at));
        at += prefix.Length;
        rewritten[at++] = (byte)'"';
        name.CopyTo(rewritten.AsSpan(at));
        at += name.Length;
        rewritten[at++] = (byte)'"';
        separator.CopyTo(rewritten.AsSpan(at));
        at += separator.Length;
        body[suffixStart..].CopyTo(rewritten.AsSpan(at));
        return (rewritten, rewritten.Length);
    }
}
