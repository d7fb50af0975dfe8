using System.Text.Json;
using System.Text.Json.Serialization;

namespace Storage.Governance;

/// <summary>
/// The wire form of <see cref="GatewayStatus"/> on the gateway's admin status route, and of the
/// <see cref="CredentialStatus"/> its credential refresh route answers, which a TraceUi deployed apart from the
/// gateway reads: both ends serialize with this one context.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(GatewayStatus))]
[JsonSerializable(typeof(CredentialStatus))]
public sealed partial class GatewayStatusJson : JsonSerializerContext
{
    /// <summary>The gateway's route answering its live status (admins only: master key or an Entra admin).</summary>
    public const string Route = "/admin/gateway/status";

    /// <summary>
    /// The gateway's route that fetches a deployment's provider credential anew (<c>POST</c>, the deployment's id in
    /// <see cref="DeploymentParameter"/>; admins only). A query parameter, not a path segment: ids default to the
    /// model group's name, which often holds a <c>/</c>.
    /// </summary>
    public const string CredentialRefreshRoute = "/admin/gateway/credential/refresh";

    public const string DeploymentParameter = "deployment";
}
