using System.Text.Json;
using System.Text.Json.Serialization;

namespace Storage.Governance;

/// <summary>
/// The wire form of <see cref="GatewayStatus"/> on the gateway's admin status route, which a TraceUi deployed apart
/// from the gateway reads: both ends serialize with this one context.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(GatewayStatus))]
public sealed partial class GatewayStatusJson : JsonSerializerContext
{
    /// <summary>The gateway's route answering its live status (admins only: master key or an Entra admin).</summary>
    public const string Route = "/admin/gateway/status";
}
