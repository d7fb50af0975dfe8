using System.Text.Json;

namespace Gateway.Telemetry;

/// <summary>
/// One call as Langfuse ingestion events, written straight into the batch being sent: a trace named after the
/// operation, a span for each attempt that did not answer, and the generation (the attempt that answered, or the
/// call's failure when none did).
/// </summary>
internal static class GatewayTraceEvents
{
    /// <summary>Writes the call's events as elements of the batch array <paramref name="writer"/> is in; returns how many.</summary>
    public static int Write(Utf8JsonWriter writer, GatewayCallRecord call, string? environment)
    {
        var traceId = Guid.CreateVersion7();
        Envelope(writer, "trace-create", call.StartTime);
        writer.WriteString("id"u8, traceId);
        writer.WriteString("timestamp"u8, call.StartTime);
        writer.WriteString("name"u8, $"gateway {call.Operation}");
        WriteEnvironment(writer, environment);
        if (call.User is not null)
        {
            writer.WriteString("userId"u8, call.User);
        }

        WriteMetadata(writer, call);
        writer.WriteStartArray("tags"u8);
        writer.WriteStringValue("gateway"u8);
        writer.WriteStringValue(call.RequestedModel);
        writer.WriteEndArray();
        EndEnvelope(writer);

        var events = 2;
        foreach (var attempt in call.FailedAttempts ?? [])
        {
            WriteAttempt(writer, traceId, attempt, environment);
            events++;
        }

        Envelope(writer, "generation-create", call.EndTime);
        writer.WriteString("id"u8, Guid.CreateVersion7());
        writer.WriteString("traceId"u8, traceId);
        writer.WriteString("name"u8, call.RequestedModel);
        writer.WriteString("startTime"u8, call.AnswerStartTime ?? call.StartTime);
        writer.WriteString("endTime"u8, call.EndTime);
        if (call.CompletionStartTime is { } completionStart)
        {
            writer.WriteString("completionStartTime"u8, completionStart);
        }

        writer.WriteString("model"u8, call.UpstreamModel ?? call.RequestedModel);
        if (call.ModelParameters is { } parameters)
        {
            writer.WritePropertyName("modelParameters"u8);
            writer.WriteRawValue(parameters, skipInputValidation: true);
        }

        WriteEnvironment(writer, environment);
        WriteMetadata(writer, call);
        writer.WriteString("level"u8, call.Status >= 400 ? "ERROR"u8 : "DEFAULT"u8);
        if (call.Status >= 400)
        {
            writer.WriteString("statusMessage"u8, call.ErrorCode is null ? $"HTTP {call.Status}" : $"HTTP {call.Status}: {call.ErrorCode}");
        }

        WriteUsage(writer, call);
        if (call.Cost is { } cost)
        {
            // The cost budgets were charged, config prices included, so the trace and the budget agree.
            writer.WriteStartObject("costDetails"u8);
            writer.WriteNumber("total"u8, cost);
            writer.WriteEndObject();
        }

        EndEnvelope(writer);
        return events;
    }

    private static void WriteAttempt(Utf8JsonWriter writer, Guid traceId, AttemptSpan attempt, string? environment)
    {
        Envelope(writer, "span-create", attempt.EndTime);
        writer.WriteString("id"u8, Guid.CreateVersion7());
        writer.WriteString("traceId"u8, traceId);
        writer.WriteString("name"u8, $"attempt {attempt.Number}: {attempt.Deployment}");
        writer.WriteString("startTime"u8, attempt.StartTime);
        writer.WriteString("endTime"u8, attempt.EndTime);
        WriteEnvironment(writer, environment);
        // The call went on to another attempt, so this one is a warning, not the call's error.
        writer.WriteString("level"u8, "WARNING"u8);
        writer.WriteString("statusMessage"u8, attempt.UpstreamStatus is { } status ? $"{attempt.Failure} (HTTP {status})" : attempt.Failure);
        writer.WriteStartObject("metadata"u8);
        writer.WriteNumber("attempt"u8, attempt.Number);
        writer.WriteString("deployment"u8, attempt.Deployment);
        writer.WriteString("provider"u8, attempt.Provider);
        writer.WriteString("error"u8, attempt.Failure);
        if (attempt.UpstreamStatus is { } upstreamStatus)
        {
            writer.WriteNumber("status"u8, upstreamStatus);
        }

        writer.WriteNumber("duration_ms"u8, Math.Round((attempt.EndTime - attempt.StartTime).TotalMilliseconds, 3));
        writer.WriteEndObject();
        EndEnvelope(writer);
    }

    private static void WriteMetadata(Utf8JsonWriter writer, GatewayCallRecord call)
    {
        writer.WriteStartObject("metadata"u8);
        writer.WriteString("requested_model"u8, call.RequestedModel);
        WriteNonNull(writer, "deployment"u8, call.Deployment, always: true);
        WriteNonNull(writer, "provider"u8, call.Provider, always: true);
        writer.WriteNumber("status"u8, call.Status);
        writer.WriteNumber("attempts"u8, call.Attempts);
        writer.WriteBoolean("stream"u8, call.Stream);
        writer.WriteNumber("gateway_overhead_ms"u8, Math.Round(call.OverheadMilliseconds, 3));
        WriteNonNull(writer, "error_code"u8, call.ErrorCode);
        if (call.Caller is { } caller)
        {
            WriteNonNull(writer, "user_api_key_hash"u8, caller.KeyToken);
            WriteNonNull(writer, "user_api_key_alias"u8, caller.KeyAlias);
            WriteNonNull(writer, "user_api_key_team_id"u8, caller.TeamId);
            WriteNonNull(writer, "user_api_key_user_id"u8, caller.UserId);
        }

        writer.WriteEndObject();
    }

    private static void WriteUsage(Utf8JsonWriter writer, GatewayCallRecord call)
    {
        if (call.PromptTokens is null && call.CompletionTokens is null)
        {
            return;
        }

        writer.WriteStartObject("usageDetails"u8);
        writer.WriteNumber("input"u8, call.PromptTokens ?? 0);
        writer.WriteNumber("output"u8, call.CompletionTokens ?? 0);
        // Langfuse's keys for cached input; the ingestion worker takes them out of "input" and prices each.
        if (call.CacheReadTokens > 0)
        {
            writer.WriteNumber("input_cache_read"u8, call.CacheReadTokens);
        }

        if (call.CacheCreationTokens > call.CacheCreation1hTokens)
        {
            writer.WriteNumber("input_cache_creation"u8, call.CacheCreationTokens - call.CacheCreation1hTokens);
        }

        if (call.CacheCreation1hTokens > 0)
        {
            writer.WriteNumber("input_cache_creation_1h"u8, call.CacheCreation1hTokens);
        }

        writer.WriteEndObject();
    }

    private static void WriteEnvironment(Utf8JsonWriter writer, string? environment)
    {
        if (environment is not null)
        {
            writer.WriteString("environment"u8, environment);
        }
    }

    private static void WriteNonNull(Utf8JsonWriter writer, ReadOnlySpan<byte> name, string? value, bool always = false)
    {
        if (value is not null)
        {
            writer.WriteString(name, value);
        }
        else if (always)
        {
            writer.WriteNull(name);
        }
    }

    private static void Envelope(Utf8JsonWriter writer, string type, DateTimeOffset at)
    {
        writer.WriteStartObject();
        writer.WriteString("id"u8, Guid.CreateVersion7());
        writer.WriteString("timestamp"u8, at);
        writer.WriteString("type"u8, type);
        writer.WriteStartObject("body"u8);
    }

    private static void EndEnvelope(Utf8JsonWriter writer)
    {
        writer.WriteEndObject();
        writer.WriteEndObject();
    }
}
