using System.Globalization;
using System.Text.Json.Nodes;

namespace Gateway.Telemetry;

/// <summary>One call as Langfuse ingestion events: a trace named after the operation and a generation beneath it.</summary>
internal static class GatewayTraceEvents
{
    public static IEnumerable<JsonObject> For(GatewayCallRecord call)
    {
        var traceId = Guid.CreateVersion7().ToString();
        var start = call.StartTime.ToString("O", CultureInfo.InvariantCulture);
        var end = call.EndTime.ToString("O", CultureInfo.InvariantCulture);
        var metadata = new JsonObject
        {
            ["requested_model"] = call.RequestedModel,
            ["deployment"] = call.Deployment,
            ["provider"] = call.Provider,
            ["status"] = call.Status,
            ["attempts"] = call.Attempts,
            ["stream"] = call.Stream,
            ["gateway_overhead_ms"] = Math.Round(call.OverheadMilliseconds, 3),
        };
        if (call.ErrorCode is not null)
        {
            metadata["error_code"] = call.ErrorCode;
        }

        if (call.Caller is { } caller)
        {
            SetNonNull(metadata, "user_api_key_hash", caller.KeyToken);
            SetNonNull(metadata, "user_api_key_alias", caller.KeyAlias);
            SetNonNull(metadata, "user_api_key_team_id", caller.TeamId);
            SetNonNull(metadata, "user_api_key_user_id", caller.UserId);
        }

        var trace = new JsonObject
        {
            ["id"] = traceId,
            ["timestamp"] = start,
            ["name"] = $"gateway {call.Operation}",
            ["metadata"] = metadata.DeepClone(),
            ["tags"] = new JsonArray("gateway", call.RequestedModel),
        };
        if (call.User is not null)
        {
            trace["userId"] = call.User;
        }

        var generation = new JsonObject
        {
            ["id"] = Guid.CreateVersion7().ToString(),
            ["traceId"] = traceId,
            ["name"] = call.RequestedModel,
            ["startTime"] = start,
            ["endTime"] = end,
            ["model"] = call.UpstreamModel ?? call.RequestedModel,
            ["metadata"] = metadata,
            ["level"] = call.Status >= 400 ? "ERROR" : "DEFAULT",
        };
        if (call.Status >= 400)
        {
            generation["statusMessage"] = call.ErrorCode is null ? $"HTTP {call.Status}" : $"HTTP {call.Status}: {call.ErrorCode}";
        }

        if (call.PromptTokens is not null || call.CompletionTokens is not null)
        {
            var usage = new JsonObject { ["input"] = call.PromptTokens ?? 0, ["output"] = call.CompletionTokens ?? 0 };
            // Langfuse's keys for cached input; the ingestion worker takes them out of "input" and prices each.
            if (call.CacheReadTokens > 0)
            {
                usage["input_cache_read"] = call.CacheReadTokens;
            }

            if (call.CacheCreationTokens > call.CacheCreation1hTokens)
            {
                usage["input_cache_creation"] = call.CacheCreationTokens - call.CacheCreation1hTokens;
            }

            if (call.CacheCreation1hTokens > 0)
            {
                usage["input_cache_creation_1h"] = call.CacheCreation1hTokens;
            }

            generation["usageDetails"] = usage;
        }

        if (call.Cost is { } cost)
        {
            // The cost budgets were charged, config prices included, so the trace and the budget agree.
            generation["costDetails"] = new JsonObject { ["total"] = cost };
        }

        yield return Envelope("trace-create", trace, call.StartTime);
        yield return Envelope("generation-create", generation, call.EndTime);
    }

    private static void SetNonNull(JsonObject target, string name, string? value)
    {
        if (value is not null)
        {
            target[name] = value;
        }
    }

    private static JsonObject Envelope(string type, JsonObject body, DateTimeOffset at) => new()
    {
        ["id"] = Guid.CreateVersion7().ToString(),
        ["timestamp"] = at.ToString("O", CultureInfo.InvariantCulture),
        ["type"] = type,
        ["body"] = body,
    };
}
