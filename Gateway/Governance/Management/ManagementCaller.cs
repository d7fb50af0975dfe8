using Gateway.Authentication;
using Storage.Relational;
using Storage.Governance;

namespace Gateway.Governance.Management;

/// <summary>Who is calling the management API, for authorisation of self-service routes and for the audit log.</summary>
internal static class ManagementCaller
{
    /// <summary>LiteLLM lets an admin tool name the person it acts for in this header.</summary>
    public const string ChangedByHeader = "litellm-changed-by";

    public static bool IsAdmin(HttpContext context) => context.User.HasClaim(GatewayClaims.Role, GatewayClaims.Roles.Admin);

    public static string? KeyToken(HttpContext context) => context.User.FindFirst(GatewayClaims.KeyId)?.Value;

    public static string Name(HttpContext context) =>
        context.Request.Headers[ChangedByHeader] is { Count: > 0 } header && header.ToString() is { Length: > 0 and <= 256 } named ? named
        : context.User.FindFirst(GatewayClaims.UserId)?.Value
        ?? context.User.FindFirst(GatewayClaims.CallerKind)?.Value
        ?? "unknown";

    public static GovernanceActor Actor(HttpContext context) => new(Name(context), KeyToken(context));

    /// <summary>Adds an audit entry to <paramref name="db"/>, saved with the change it records.</summary>
    public static void Audit(PlatformDbContext db, HttpContext context, string action, string table, string objectId, System.Text.Json.Nodes.JsonObject? before, System.Text.Json.Nodes.JsonObject? after, DateTime at) =>
        Actor(context).Audit(db, action, table, objectId, before, after, at);
}
