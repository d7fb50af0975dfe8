using System.Diagnostics;
using Gateway.Apis;
using Gateway.Configuration;
using Gateway.Governance;
using Gateway.Inbound;
using Gateway.Providers;
using Gateway.Telemetry;

namespace Gateway.Routing;

/// <summary>
/// Routes a call to a model group: picks a deployment, retries within the group (<c>num_retries</c>, with
/// backoff that honours <c>Retry-After</c>), then tries the ordered <c>fallbacks</c> (or the
/// <c>context_window_fallbacks</c> when the prompt is too long). Answers as soon as one attempt answers;
/// otherwise returns the error that describes the last failure.
/// </summary>
internal sealed partial class ModelRouter(
    ModelCatalog catalog, DeploymentSelector selector, DeploymentCooldown cooldown, DeploymentUsage usage, DeploymentFailures failures, CallTelemetry telemetry,
    TimeProvider clock, ILogger<ModelRouter> logger)
{
    /// <summary>
    /// Routes a call once <paramref name="admission"/> grants it. While the charge is still under way the first
    /// deployment is chosen (and counted against its limits) meanwhile, and given back when the charge refuses; nothing
    /// is sent and no answer is given before the charge decides. A refused call returns <see cref="PendingAdmission.Refusal"/>.
    /// </summary>
    public async Task<OpenAiErrorResult?> RouteAsync(GatewayCall call, PendingAdmission admission)
    {
        if (admission.Ready && !await admission.DecideAsync())
        {
            return admission.Refusal;
        }

        // One snapshot for the whole call: a config reload meanwhile does not change where it goes.
        var models = catalog.Current;
        var model = call.Fields.Model;
        if (!models.TryResolve(model, out var requested))
        {
            return await admission.DecideAsync() ? OpenAiErrors.ModelNotFound(model) : admission.Refusal;
        }

        var settings = models.Config.RouterSettings;
        call.HasContextWindowFallbacks = requested.ContextWindowFallbacks.Count > 0;
        var chain = requested.Chain;
        var last = GroupOutcome.NotTried;
        try
        {
            for (var i = 0; i < chain.Count; i++)
            {
                if (!models.TryResolve(chain[i], out var group))
                {
                    continue;
                }

                if (i > 0)
                {
                    LogFallingBack(logger, model, group.Name);
                }

                var outcome = await TryGroupAsync(call, group, settings, admission);
                if (!await admission.DecideAsync())
                {
                    return admission.Refusal;
                }

                if (outcome.Finished)
                {
                    if (call.ServedBy is not null)
                    {
                        telemetry.Finished(call, call.Context.Response.StatusCode, null);
                    }

                    return null;
                }

                last = outcome;
                if (outcome.Failure == FailureKind.ContextWindowExceeded && call.HasContextWindowFallbacks)
                {
                    LogContextWindowFallback(logger, model, string.Join(", ", requested.ContextWindowFallbacks));
                    call.HasContextWindowFallbacks = false;
                    chain = requested.ContextWindowFallbacks;
                    i = -1;
                }
            }
        }
        catch (OperationCanceledException) when (call.Aborted.IsCancellationRequested)
        {
            return null;
        }

        if (!await admission.DecideAsync())
        {
            return admission.Refusal;
        }

        var error = ErrorFor(requested, last);
        call.WriteAttempts();
        telemetry.Finished(call, error.StatusCode, error.Value.Error.Code);
        return error;
    }

    private async Task<GroupOutcome> TryGroupAsync(GatewayCall call, ModelGroup group, RouterSettings settings, PendingAdmission admission)
    {
        HashSet<Deployment>? failed = null, banned = null;
        AttemptOutcome? last = null;
        var retries = 0;
        for (var attempt = 0; attempt <= settings.NumRetries; attempt++)
        {
            var selection = await selector.SelectAsync(group, settings, failed, call);
            if (selection.Deployment is null && !selection.TooLong && failed?.Count > (banned?.Count ?? 0))
            {
                selection = await selector.SelectAsync(group, settings, banned, call);
            }

            if (selection.Deployment is not { } deployment)
            {
                return selection.TooLong ? GroupOutcome.Failed(AttemptOutcome.Failed(FailureKind.ContextWindowExceeded))
                    : last is { } failure ? GroupOutcome.Failed(failure)
                    : selection.RateLimited ? GroupOutcome.Failed(AttemptOutcome.Failed(FailureKind.RateLimited, retryAfter: selection.Wait))
                    : GroupOutcome.Unavailable(group, selection.Wait);
            }

            if (!admission.Decided && !await AdmittedAsync(admission, selection))
            {
                return GroupOutcome.NotTried;
            }

            if (failed?.Contains(deployment) == true)
            {
                call.BeginUpstreamWait();
                await WaitAsync(RetryDelay.For(++retries, last?.RetryAfter, settings.RetryAfter), call.Aborted);
                call.EndUpstreamWait();
            }

            call.Attempts++;
            deployment.CallStarted();
            var sentAt = Stopwatch.GetTimestamp();
            AttemptOutcome outcome;
            try
            {
                outcome = await deployment.Provider!.SendAsync(call, deployment);
            }
            finally
            {
                deployment.CallEnded();
            }

            RecordLatency(call, deployment, outcome, sentAt);
            if (outcome.Result is AttemptResult.Served or AttemptResult.PassedThrough)
            {
                call.AnsweringAttemptSentAt = sentAt;
                await cooldown.ReportSuccessAsync(deployment, selection.IsProbe, CancellationToken.None);
                await usage.RecordTokensAsync(deployment, settings, call.Usage?.TotalTokens ?? call.Fields.EstimatedPromptTokens, CancellationToken.None);
                return GroupOutcome.Done;
            }

            if (outcome.Result == AttemptResult.Abandoned)
            {
                return GroupOutcome.Done;
            }

            LogAttemptFailed(logger, deployment.Id, outcome.Failure, outcome.UpstreamStatus, call.Attempts);
            failures.Record(deployment.Id, outcome.Failure, outcome.UpstreamStatus);
            call.AttemptFailed(deployment, outcome, sentAt);
            await cooldown.ReportFailureAsync(deployment, selection.IsProbe, outcome.RetryAfter, settings, CancellationToken.None);
            last = outcome;
            if (outcome.Failure == FailureKind.ContextWindowExceeded)
            {
                return GroupOutcome.Failed(outcome);
            }

            (failed ??= []).Add(deployment);
            if (!outcome.SameDeploymentMayRetry || outcome.RetryAfter > RetryDelay.MaxHonoured)
            {
                // A hung or misconfigured deployment, or one that asks for a long pause, is not tried again in this call.
                (banned ??= []).Add(deployment);
            }
        }

        return GroupOutcome.Failed(last!.Value);
    }

    /// <summary>Decides the charge that was under way while <paramref name="selection"/> was made; gives the selection back unless the call is admitted.</summary>
    private async ValueTask<bool> AdmittedAsync(PendingAdmission admission, Selection selection)
    {
        var admitted = false;
        try
        {
            admitted = await admission.DecideAsync();
            return admitted;
        }
        finally
        {
            if (!admitted)
            {
                await selector.ReleaseAsync(selection);
            }
        }
    }

    /// <summary>
    /// Feeds latency-based routing: a stream's time to its first bytes, a whole answer's duration; a timeout counts
    /// as the time waited, so a deployment that hangs ranks last.
    /// </summary>
    private static void RecordLatency(GatewayCall call, Deployment deployment, AttemptOutcome outcome, long sentAt)
    {
        if (outcome.Result == AttemptResult.Served)
        {
            if (call.Fields.Stream && call.FirstByteAt > sentAt)
            {
                deployment.Load.RecordTimeToFirstToken(Stopwatch.GetElapsedTime(sentAt, call.FirstByteAt));
            }
            else if (!call.Fields.Stream)
            {
                deployment.Load.RecordLatency(Stopwatch.GetElapsedTime(sentAt));
            }
        }
        else if (outcome.Failure == FailureKind.Timeout)
        {
            var waited = Stopwatch.GetElapsedTime(sentAt);
            deployment.Load.RecordLatency(waited);
            deployment.Load.RecordTimeToFirstToken(waited);
        }
    }

    /// <summary>Waits at least <paramref name="delay"/>: timers may fire a millisecond early, and an upstream's <c>Retry-After</c> is a minimum.</summary>
    private async Task WaitAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        var started = clock.GetTimestamp();
        for (var left = delay; left > TimeSpan.Zero; left = delay - clock.GetElapsedTime(started))
        {
            await Task.Delay(left + TimeSpan.FromMilliseconds(1), clock, cancellationToken);
        }
    }

    private static OpenAiErrorResult ErrorFor(ModelGroup requested, GroupOutcome last)
    {
        var model = requested.Name;
        if (last.Unusable is { } reason)
        {
            return last.AllUnsupported
                ? OpenAiErrors.Upstream(StatusCodes.Status501NotImplemented, $"Model '{model}' cannot be called: {reason}.", "provider_not_supported")
                : OpenAiErrors.Upstream(StatusCodes.Status503ServiceUnavailable, $"Model '{model}' cannot be called: {reason}.", "deployment_unusable");
        }

        if (last.Attempt is not { } attempt)
        {
            return OpenAiErrors.Upstream(StatusCodes.Status503ServiceUnavailable,
                $"No deployment of model '{model}' can take calls now: each is cooling down after failures.", "deployments_cooling_down", last.Wait);
        }

        var status = attempt.UpstreamStatus;
        return attempt.Failure switch
        {
            FailureKind.RateLimited when status is null => OpenAiErrors.RateLimited(
                $"Every deployment of model '{model}' has used its rpm/tpm limit for this minute.", attempt.RetryAfter),
            FailureKind.RateLimited => OpenAiErrors.RateLimited($"The provider of model '{model}' is rate limiting the gateway (HTTP 429).", attempt.RetryAfter),
            FailureKind.Timeout => OpenAiErrors.Upstream(StatusCodes.Status504GatewayTimeout,
                $"The provider of model '{model}' did not answer within the deployment's timeout.", "upstream_timeout"),
            FailureKind.Connection => OpenAiErrors.Upstream(StatusCodes.Status502BadGateway, $"The provider of model '{model}' could not be reached.", "upstream_unreachable"),
            FailureKind.Rejected => OpenAiErrors.Upstream(StatusCodes.Status502BadGateway,
                $"The provider of model '{model}' refused the gateway's credentials or model name (HTTP {status}); check the deployment's api_key and model.", "upstream_rejected"),
            FailureKind.Malformed => OpenAiErrors.Upstream(StatusCodes.Status502BadGateway, $"The provider of model '{model}' sent an answer that is not valid JSON.", "upstream_malformed"),
            FailureKind.ContextWindowExceeded => OpenAiErrors.InvalidRequest(StatusCodes.Status400BadRequest,
                $"The prompt is longer than the context window of model '{model}' and of its context-window fallbacks.", "messages", "context_length_exceeded"),
            _ when status is StatusCodes.Status503ServiceUnavailable or 529 => OpenAiErrors.Upstream(StatusCodes.Status503ServiceUnavailable,
                $"The provider of model '{model}' is unavailable (HTTP {status}).", "upstream_unavailable", attempt.RetryAfter),
            _ => OpenAiErrors.Upstream(StatusCodes.Status502BadGateway, $"The provider of model '{model}' failed (HTTP {status}).", "upstream_error"),
        };
    }

    /// <summary>How routing to one group ended: done (the caller has an answer), failed (with the last attempt), or nothing callable.</summary>
    private readonly record struct GroupOutcome(bool Finished, AttemptOutcome? Attempt, string? Unusable, bool AllUnsupported, TimeSpan? Wait)
    {
        public static GroupOutcome NotTried => new(false, null, null, false, null);
        public static GroupOutcome Done => new(true, null, null, false, null);

        public FailureKind Failure => Attempt?.Failure ?? FailureKind.None;

        public static GroupOutcome Failed(AttemptOutcome attempt) => new(false, attempt, null, false, null);

        public static GroupOutcome Unavailable(ModelGroup group, TimeSpan wait)
        {
            var unusable = group.Deployments.Where(d => d.UnusableReason is not null).ToList();
            return unusable.Count == group.Deployments.Count
                ? new(false, null, string.Join("; ", unusable.Select(d => $"deployment {d.Id}: {d.UnusableReason}")), unusable.All(d => d.Provider is null), null)
                : new(false, null, null, false, wait);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Attempt {Attempt} on deployment {Deployment} failed: {Failure} (upstream status {UpstreamStatus})")]
    private static partial void LogAttemptFailed(ILogger logger, string deployment, FailureKind failure, int? upstreamStatus, int attempt);

    [LoggerMessage(Level = LogLevel.Information, Message = "Model {Model}: the prompt is too long for it, trying its context-window fallbacks {Fallbacks}")]
    private static partial void LogContextWindowFallback(ILogger logger, string model, string fallbacks);

    [LoggerMessage(Level = LogLevel.Information, Message = "Model {Model}: falling back to {Fallback}")]
    private static partial void LogFallingBack(ILogger logger, string model, string fallback);
}
