using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Storage.Relational.Entities;

namespace Storage.Governance;

/// <summary>
/// Keys, teams, users and end users as LiteLLM's management API returns them: its field names, <c>null</c> for
/// what is not set. A key is only ever its token (SHA-256) here; the key itself appears once, at creation.
/// </summary>
public static class ManagementJson
{
    public static JsonObject Key(VirtualKey key) => new()
    {
        ["token"] = key.Token,
        ["key_name"] = key.KeyName,
        ["key_alias"] = key.KeyAlias,
        ["spend"] = key.Spend,
        ["max_budget"] = key.MaxBudget,
        ["soft_budget"] = key.SoftBudget,
        ["expires"] = Time(key.Expires),
        ["models"] = Strings(key.Models),
        ["user_id"] = key.UserId,
        ["team_id"] = key.TeamId,
        ["max_parallel_requests"] = key.MaxParallelRequests,
        ["metadata"] = Metadata(key.Metadata),
        ["tpm_limit"] = key.TpmLimit,
        ["rpm_limit"] = key.RpmLimit,
        ["budget_duration"] = key.BudgetDuration,
        ["budget_reset_at"] = Time(key.BudgetResetAt),
        ["blocked"] = key.Blocked,
        ["tags"] = Strings(key.Tags),
        ["created_at"] = Time(key.CreatedAt),
        ["created_by"] = key.CreatedBy,
        ["updated_at"] = Time(key.UpdatedAt),
        ["updated_by"] = key.UpdatedBy,
    };

    /// <summary>What <c>/key/generate</c> and <c>/key/regenerate</c> answer: the key object with the new key, shown this once.</summary>
    public static JsonObject GeneratedKey(VirtualKey key, string secret)
    {
        var json = Key(key);
        json["key"] = secret;
        json["token_id"] = key.Token;
        return json;
    }

    public static JsonObject Team(Team team) => new()
    {
        ["team_id"] = team.TeamId,
        ["team_alias"] = team.TeamAlias,
        ["models"] = Strings(team.Models),
        ["spend"] = team.Spend,
        ["max_budget"] = team.MaxBudget,
        ["budget_duration"] = team.BudgetDuration,
        ["budget_reset_at"] = Time(team.BudgetResetAt),
        ["tpm_limit"] = team.TpmLimit,
        ["rpm_limit"] = team.RpmLimit,
        ["max_parallel_requests"] = team.MaxParallelRequests,
        ["blocked"] = team.Blocked,
        ["metadata"] = Metadata(team.Metadata),
        ["tags"] = Strings(team.Tags),
        ["members_with_roles"] = new JsonArray(team.Members.OrderBy(m => m.UserId, StringComparer.Ordinal)
            .Select(m => (JsonNode)new JsonObject { ["user_id"] = m.UserId, ["user_email"] = m.User?.UserEmail, ["role"] = m.Role }).ToArray()),
        ["created_at"] = Time(team.CreatedAt),
        ["updated_at"] = Time(team.UpdatedAt),
    };

    public static JsonObject User(InternalUser user) => new()
    {
        ["user_id"] = user.UserId,
        ["user_email"] = user.UserEmail,
        ["user_alias"] = user.UserAlias,
        ["user_role"] = user.UserRole,
        ["teams"] = Strings(user.Memberships.Select(m => m.TeamId).Order(StringComparer.Ordinal)),
        ["models"] = Strings(user.Models),
        ["spend"] = user.Spend,
        ["max_budget"] = user.MaxBudget,
        ["budget_duration"] = user.BudgetDuration,
        ["budget_reset_at"] = Time(user.BudgetResetAt),
        ["tpm_limit"] = user.TpmLimit,
        ["rpm_limit"] = user.RpmLimit,
        ["max_parallel_requests"] = user.MaxParallelRequests,
        ["metadata"] = Metadata(user.Metadata),
        ["created_at"] = Time(user.CreatedAt),
        ["updated_at"] = Time(user.UpdatedAt),
    };

    /// <summary>LiteLLM's end-user (customer) row: limits live in its <c>litellm_budget_table</c>.</summary>
    public static JsonObject EndUser(EndUser endUser) => new()
    {
        ["user_id"] = endUser.UserId,
        ["alias"] = endUser.Alias,
        ["spend"] = endUser.Spend,
        ["blocked"] = endUser.Blocked,
        ["allowed_model_region"] = null,
        ["default_model"] = null,
        ["litellm_budget_table"] = new JsonObject
        {
            ["max_budget"] = endUser.MaxBudget,
            ["budget_duration"] = endUser.BudgetDuration,
            ["budget_reset_at"] = Time(endUser.BudgetResetAt),
            ["tpm_limit"] = endUser.TpmLimit,
            ["rpm_limit"] = endUser.RpmLimit,
            ["max_parallel_requests"] = endUser.MaxParallelRequests,
        },
        ["created_at"] = Time(endUser.CreatedAt),
        ["updated_at"] = Time(endUser.UpdatedAt),
    };

    public static JsonArray Strings(IEnumerable<string> values) => new(values.Select(v => (JsonNode)JsonValue.Create(v)).ToArray());

    public static string? Time(DateTime? value) =>
        value is { } time ? DateTime.SpecifyKind(time, DateTimeKind.Utc).ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'+00:00'", CultureInfo.InvariantCulture) : null;

    public static JsonObject Metadata(string json) => JsonNode.Parse(json) as JsonObject ?? [];

    public static string MetadataText(JsonObject metadata) => metadata.ToJsonString(JsonSerializerOptions.Default);

    public static IResult Result(JsonNode json) => TypedResults.Text(json.ToJsonString(JsonSerializerOptions.Default), "application/json", System.Text.Encoding.UTF8);
}
