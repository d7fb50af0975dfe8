using System.Buffers;
using System.Runtime.InteropServices;
using System.Text.Json;
using Gateway.Inbound;
using Gateway.Routing;

namespace Gateway.Providers.OpenAi;

/// <summary>
/// The body an OpenAI-compatible deployment receives: the caller's bytes with the deployment's model name, and —
/// only when the deployment's provider or model refuses some of OpenAI's fields — without those fields (with
/// <c>drop_params</c>) or renamed (<c>max_tokens</c> to <c>max_completion_tokens</c>). Everything else is the
/// caller's bytes; the body is rebuilt only when a field has to go.
/// </summary>
internal static class UpstreamRequestBody
{
    /// <returns>The body, or the names of refused fields the caller sent when the deployment does not drop them.</returns>
    public static (byte[] Array, int Length, IReadOnlyList<string>? Refused) For(GatewayCall call, Deployment deployment)
    {
        var parameters = deployment.UnsupportedParameters;
        if (parameters.IsEmpty)
        {
            var (array, length) = WithModel(call, deployment);
            return (array, length, null);
        }

        var properties = Properties(call.Body.Span);
        List<string>? refused = null;
        var edited = false;
        foreach (ref var property in CollectionsMarshal.AsSpan(properties))
        {
            property.Action = Judge(property, parameters, deployment.DropParams, properties, ref refused);
            edited |= property.Action is not FieldAction.Keep;
        }

        if (refused is not null)
        {
            return ([], 0, refused);
        }

        if (!edited)
        {
            var (array, length) = WithModel(call, deployment);
            return (array, length, null);
        }

        var rebuilt = Rebuild(call.Body.Span, properties, deployment);
        return (rebuilt, rebuilt.Length, null);
    }

    private static FieldAction Judge(in Property property, UnsupportedParameters parameters, bool drop, List<Property> all, ref List<string>? refused)
    {
        var name = property.Name;
        if (parameters.AlwaysDropped.Contains(name))
        {
            return FieldAction.Drop;
        }

        if (parameters.Renamed.TryGetValue(name, out var newName))
        {
            // Both names sent: the one the model knows wins.
            return all.Exists(p => p.Name == newName) ? FieldAction.Drop : FieldAction.Rename;
        }

        var unsupported = parameters.Refused.Contains(name) || (parameters.OnlyOne.Contains(name) && !property.IsOne);
        if (!unsupported)
        {
            return FieldAction.Keep;
        }

        if (drop || property.IsNull)
        {
            return FieldAction.Drop;
        }

        (refused ??= []).Add(name);
        return FieldAction.Keep;
    }

    private static List<Property> Properties(ReadOnlySpan<byte> json)
    {
        var properties = new List<Property>();
        var reader = new Utf8JsonReader(json);
        reader.Read();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var nameStart = (int)reader.TokenStartIndex;
            var name = reader.GetString()!;
            reader.Read();
            var valueStart = (int)reader.TokenStartIndex;
            var isNull = reader.TokenType == JsonTokenType.Null;
            var isOne = reader.TokenType == JsonTokenType.Number && reader.TryGetDouble(out var number) && number == 1;
            reader.Skip();
            properties.Add(new Property(name, nameStart, valueStart, (int)reader.BytesConsumed, isNull, isOne));
        }

        return properties;
    }

    private static byte[] Rebuild(ReadOnlySpan<byte> json, List<Property> properties, Deployment deployment)
    {
        var output = new ArrayBufferWriter<byte>(json.Length + 64);
        output.Write("{"u8);
        var first = true;
        void Separator()
        {
            if (!first)
            {
                output.Write(","u8);
            }

            first = false;
        }

        if (!properties.Exists(p => p.Name == "model"))
        {
            Separator();
            WriteModel(output, deployment);
        }

        foreach (var property in properties)
        {
            switch (property.Action)
            {
                case FieldAction.Drop:
                    continue;
                case FieldAction.Rename:
                    Separator();
                    output.Write("\""u8);
                    output.Write(JsonEncodedText.Encode(deployment.UnsupportedParameters.Renamed[property.Name]).EncodedUtf8Bytes);
                    output.Write("\":"u8);
                    output.Write(json[property.ValueStart..property.End]);
                    continue;
                default:
                    Separator();
                    if (property.Name == "model")
                    {
                        WriteModel(output, deployment);
                    }
                    else
                    {
                        output.Write(json[property.NameStart..property.End]);
                    }

                    continue;
            }
        }

        output.Write("}"u8);
        return output.WrittenSpan.ToArray();
    }

    private static void WriteModel(ArrayBufferWriter<byte> output, Deployment deployment)
    {
        output.Write("\"model\":\""u8);
        output.Write(deployment.EncodedProviderModel.EncodedUtf8Bytes);
        output.Write("\""u8);
    }

    /// <summary>The caller's bytes with the deployment's model name as <c>model</c> (see <see cref="ModelNameSplice"/>).</summary>
    public static (byte[] Array, int Length) WithModel(GatewayCall call, Deployment deployment) =>
        string.Equals(deployment.Config.Params.ProviderModel, call.Fields.BodyModel, StringComparison.Ordinal)
            ? (call.Body.Array, call.Body.Length)
            : ModelNameSplice.Apply(call.Body.Span, call.Fields, deployment.EncodedProviderModel);

    /// <summary>The message of the 400 a caller gets for refused fields, in LiteLLM's words.</summary>
    public static string RefusalMessage(Deployment deployment, IReadOnlyList<string> refused) =>
        $"{deployment.ProviderName} does not support parameters: {string.Join(", ", refused)}, for model={deployment.Config.Params.ProviderModel}. "
        + "To drop these, set drop_params: true in litellm_settings or in the deployment's litellm_params.";

    private enum FieldAction
    {
        Keep,
        Drop,
        Rename,
    }

    private record struct Property(string Name, int NameStart, int ValueStart, int End, bool IsNull, bool IsOne)
    {
        public FieldAction Action { get; set; }
    }
}
