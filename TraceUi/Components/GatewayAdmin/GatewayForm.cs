using System.Globalization;
using System.Text.Json.Nodes;
using Storage.Governance;

namespace TraceUi.Components.GatewayAdmin;

/// <summary>
/// The fields of the Gateway section's forms, turned into a management request with LiteLLM's field names. Text
/// that is not a number stays text, so the shared validation refuses it with the same message the API gives.
/// </summary>
public sealed class GatewayForm
{
    public string? Token { get; set; }
    public string? KeyAlias { get; set; }
    public string? TeamId { get; set; }
    public string? TeamAlias { get; set; }
    public string? UserId { get; set; }
    public string? UserEmail { get; set; }
    public string? UserRole { get; set; }
    public string? Models { get; set; }
    public string? MaxBudget { get; set; }
    public string? SoftBudget { get; set; }
    public string? BudgetDuration { get; set; }
    public string? TpmLimit { get; set; }
    public string? RpmLimit { get; set; }
    public string? MaxParallelRequests { get; set; }
    public string? Duration { get; set; }
    public string? GracePeriod { get; set; }
    public string? Members { get; set; }
    public string? Teams { get; set; }

    public ManagementRequest Request()
    {
        var body = new JsonObject();
        Text(body, "key_alias", KeyAlias);
        Text(body, "team_id", TeamId);
        Text(body, "team_alias", TeamAlias);
        Text(body, "user_id", UserId);
        Text(body, "user_email", UserEmail);
        Text(body, "user_role", UserRole);
        Text(body, "budget_duration", BudgetDuration);
        Text(body, "duration", Duration);
        Text(body, "grace_period", GracePeriod);
        Number(body, "max_budget", MaxBudget);
        Number(body, "soft_budget", SoftBudget);
        Number(body, "tpm_limit", TpmLimit);
        Number(body, "rpm_limit", RpmLimit);
        Number(body, "max_parallel_requests", MaxParallelRequests);
        List(body, "models", Models);
        List(body, "teams", Teams);
        if (Split(Members) is { } members)
        {
            body["members_with_roles"] = new JsonArray([.. members.Select(id => (JsonNode)new JsonObject { ["user_id"] = id, ["role"] = "user" })]);
        }

        return new ManagementRequest(body);
    }

    private static void Text(JsonObject body, string name, string? value)
    {
        if (!string.IsNullOrWhiteSpace(value))
        {
            body[name] = value.Trim();
        }
    }

    private static void Number(JsonObject body, string name, string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return;
        }

        body[name] = double.TryParse(value.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var number)
            ? JsonValue.Create(number)
            : JsonValue.Create(value.Trim());
    }

    private static void List(JsonObject body, string name, string? value)
    {
        if (Split(value) is { } items)
        {
            body[name] = new JsonArray([.. items.Select(item => (JsonNode)JsonValue.Create(item))]);
        }
    }

    /// <summary>Comma-separated items; a single "-" clears the list.</summary>
    private static List<string>? Split(string? value) =>
        string.IsNullOrWhiteSpace(value) ? null
        : value.Trim() == "-" ? []
        : [.. value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)];
}
