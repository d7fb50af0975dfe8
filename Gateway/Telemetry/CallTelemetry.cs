using System.Diagnostics;
using Gateway.Inbound;
using Microsoft.Extensions.Options;

namespace Gateway.Telemetry;

/// <summary>
/// Everything the gateway reports about a call once it ends, in one place: the Langfuse trace (queued for the
/// exporter), the <c>gen_ai</c> span's results and metrics, and one structured log line. No key, token or
/// credential is ever part of any of them: callers appear by key alias, team and user, keys only as their hash.
/// </summary>
internal sealed partial class CallTelemetry(GatewayTraceExporter traces, IOptions<CallLogOptions> logOptions, ILogger<CallTelemetry> logger)
{
    private readonly CallLogOptions _log = logOptions.Value;

    /// <summary>A call that was routed: answered, or failed with <paramref name="status"/> after its attempts.</summary>
    public void Finished(GatewayCall call, int status, string? errorCode)
    {
        Report(call, status, errorCode);
        var served = call.ServedBy;
        if (!logger.IsEnabled(served is null ? LogLevel.Warning : LogLevel.Information))
        {
            return;
        }

        var governance = call.Governance;
        var durationMs = Math.Round(Stopwatch.GetElapsedTime(call.StartedAt).TotalMilliseconds, 3);
        var (latestUserMessage, contextTail) = _log.MessagePreviews ? MessagePreview.Of(call.Body.Span, _log.PreviewCharacters) : (null, null);
        if (served is not null)
        {
            var usage = call.Usage;
            var firstByte = FirstByteAt(call);
            double? firstTokenMs = firstByte > call.StartedAt ? Math.Round(Stopwatch.GetElapsedTime(call.StartedAt, firstByte).TotalMilliseconds, 3) : null;
            var overheadMs = Math.Round(call.OverheadMilliseconds, 3);
            if (_log.MessagePreviews)
            {
                LogServedWithPreviews(logger, call.Operation, call.Fields.Model, served.Id, served.ProviderName, status, call.Attempts, usage?.PromptTokens,
                    usage?.CompletionTokens, call.Cost, durationMs, firstTokenMs, overheadMs, governance?.KeyAlias, governance?.TeamId, governance?.UserId,
                    latestUserMessage, contextTail);
            }
            else
            {
                LogServed(logger, call.Operation, call.Fields.Model, served.Id, served.ProviderName, status, call.Attempts, usage?.PromptTokens,
                    usage?.CompletionTokens, call.Cost, durationMs, firstTokenMs, overheadMs, governance?.KeyAlias, governance?.TeamId, governance?.UserId);
            }

            return;
        }

        var last = call.FailedAttempts is { Count: > 0 } failed ? failed[^1].Deployment : null;
        if (_log.MessagePreviews)
        {
            LogFailedWithPreviews(logger, call.Operation, call.Fields.Model, status, errorCode, call.Attempts, last?.Id, last?.ProviderName, durationMs,
                governance?.KeyAlias, governance?.TeamId, governance?.UserId, latestUserMessage, contextTail);
        }
        else
        {
            LogFailed(logger, call.Operation, call.Fields.Model, status, errorCode, call.Attempts, last?.Id, last?.ProviderName, durationMs,
                governance?.KeyAlias, governance?.TeamId, governance?.UserId);
        }
    }

    /// <summary>A call governance refused before routing; the refusal has its own log line.</summary>
    public void Refused(GatewayCall call, int status, string? errorCode) => Report(call, status, errorCode);

    private void Report(GatewayCall call, int status, string? errorCode)
    {
        if (traces.Enabled)
        {
            traces.Record(RecordOf(call, status, errorCode));
        }

        GenAiTelemetry.Finish(call, status, errorCode);
    }

    /// <summary>A stream's first event, or when a whole answer's response began.</summary>
    private static long FirstByteAt(GatewayCall call) => call.Fields.Stream && call.FirstByteAt != 0 ? call.FirstByteAt : call.ResponseStartedAt;

    internal static GatewayCallRecord RecordOf(GatewayCall call, int status, string? errorCode)
    {
        var end = DateTimeOffset.UtcNow;
        var now = Stopwatch.GetTimestamp();
        DateTimeOffset At(long timestamp) => end - Stopwatch.GetElapsedTime(timestamp, now);
        var firstByte = FirstByteAt(call);
        List<AttemptSpan>? failed = null;
        if (call.FailedAttempts is { } attempts)
        {
            failed = new List<AttemptSpan>(attempts.Count);
            for (var i = 0; i < attempts.Count; i++)
            {
                var attempt = attempts[i];
                failed.Add(new AttemptSpan(i + 1, attempt.Deployment.Id, attempt.Deployment.ProviderName, attempt.Outcome.Failure.ToString(),
                    attempt.Outcome.UpstreamStatus, At(attempt.SentAt), At(attempt.EndedAt)));
            }
        }

        var served = call.ServedBy;
        var usage = call.Usage;
        var governance = call.Governance;
        return new GatewayCallRecord(
            call.Operation.ToString(), call.Fields.Model, served?.Id, served?.ProviderName, served?.Config.Params.ProviderModel,
            status, errorCode, call.Attempts, usage?.PromptTokens, usage?.CompletionTokens, call.Fields.Stream, call.Fields.User,
            At(call.StartedAt), end, call.OverheadMilliseconds,
            usage?.CacheReadTokens ?? 0, usage?.CacheCreationTokens ?? 0, usage?.CacheCreation1hTokens ?? 0,
            governance is null ? null : new CallerIdentity(governance.KeyToken, governance.KeyAlias, governance.TeamId, governance.UserId), call.Cost)
        {
            AnswerStartTime = served is not null && call.AnsweringAttemptSentAt != 0 ? At(call.AnsweringAttemptSentAt) : null,
            CompletionStartTime = served is not null && firstByte != 0 ? At(firstByte) : null,
            ModelParameters = call.Fields.Parameters.ToJson(call.Body.Span),
            FailedAttempts = failed,
        };
    }

    private const string Served = "{Operation} {Model} served by {Deployment} ({Provider}) with {Status} after {Attempts} attempt(s): "
        + "{PromptTokens} prompt + {CompletionTokens} completion tokens, cost {CostUsd} USD, {DurationMs} ms, first token {TimeToFirstTokenMs} ms, "
        + "overhead {OverheadMs} ms; key {KeyAlias}, team {TeamId}, user {UserId}";

    private const string Failed = "{Operation} {Model} failed with {Status} ({Code}) after {Attempts} attempt(s), last on {Deployment} ({Provider}), "
        + "{DurationMs} ms; key {KeyAlias}, team {TeamId}, user {UserId}";

    private const string Previews = "; latest user message: {LatestUserMessage}; context tail: {ContextTail}";

    [LoggerMessage(Level = LogLevel.Information, Message = Served)]
    private static partial void LogServed(ILogger logger, OpenAiOperation operation, string model, string deployment, string provider, int status, int attempts,
        int? promptTokens, int? completionTokens, double? costUsd, double durationMs, double? timeToFirstTokenMs, double overheadMs,
        string? keyAlias, string? teamId, string? userId);

    [LoggerMessage(Level = LogLevel.Information, Message = Served + Previews)]
    private static partial void LogServedWithPreviews(ILogger logger, OpenAiOperation operation, string model, string deployment, string provider, int status, int attempts,
        int? promptTokens, int? completionTokens, double? costUsd, double durationMs, double? timeToFirstTokenMs, double overheadMs,
        string? keyAlias, string? teamId, string? userId, string? latestUserMessage, string? contextTail);

    [LoggerMessage(Level = LogLevel.Warning, Message = Failed)]
    private static partial void LogFailed(ILogger logger, OpenAiOperation operation, string model, int status, string? code, int attempts,
        string? deployment, string? provider, double durationMs, string? keyAlias, string? teamId, string? userId);

    [LoggerMessage(Level = LogLevel.Warning, Message = Failed + Previews)]
    private static partial void LogFailedWithPreviews(ILogger logger, OpenAiOperation operation, string model, int status, string? code, int attempts,
        string? deployment, string? provider, double durationMs, string? keyAlias, string? teamId, string? userId, string? latestUserMessage, string? contextTail);
}
