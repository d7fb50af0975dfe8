using System.Diagnostics;
using System.Globalization;
using Gateway.Governance;
using Gateway.Routing;
using Gateway.Usage;

namespace Gateway.Inbound;

/// <summary>
/// One model call through the gateway: the body read once, the fields routing needs, and what happened
/// (attempts, the deployment that answered, usage, time spent waiting on upstreams).
/// </summary>
internal sealed class GatewayCall(HttpContext context, OpenAiOperation operation, RequestBody body, InboundFields fields, long startedAt) : IDisposable
{
    public const string ProviderHeader = "x-gateway-provider";
    public const string DeploymentHeader = "x-gateway-deployment";
    public const string AttemptsHeader = "x-gateway-attempts";
    public const string OverheadHeader = "x-gateway-overhead-ms";

    private long _upstreamTicks;
    private long _waitStartedAt;

    public HttpContext Context { get; } = context;
    public OpenAiOperation Operation { get; } = operation;
    public RequestBody Body { get; } = body;
    public InboundFields Fields { get; } = fields;
    public long StartedAt { get; } = startedAt;

    public int Attempts { get; set; }

    /// <summary>True when the requested group has context-window fallbacks, so a context-length error is worth rerouting.</summary>
    public bool HasContextWindowFallbacks { get; set; }

    public Deployment? ServedBy { get; private set; }

    /// <summary>When the answer's first body bytes went to the caller (<see cref="Stopwatch"/> ticks), 0 before; for time to first token.</summary>
    public long FirstByteAt { get; set; }

    /// <summary>When the answering deployment's response started (<see cref="Stopwatch"/> ticks), 0 before: a whole answer's first byte.</summary>
    public long ResponseStartedAt { get; private set; }

    /// <summary>Notes that the answering deployment's response began, unless it already had.</summary>
    public void ResponseStarted()
    {
        if (ResponseStartedAt == 0)
        {
            ResponseStartedAt = Stopwatch.GetTimestamp();
        }
    }

    /// <summary>When the attempt that answered was sent (<see cref="Stopwatch"/> ticks), 0 when none answered.</summary>
    public long AnsweringAttemptSentAt { get; set; }

    /// <summary>The attempts that did not answer, in order; null while there are none (the usual case).</summary>
    public List<FailedAttempt>? FailedAttempts { get; private set; }

    /// <summary>The call's <c>gen_ai</c> span, when something listens for them.</summary>
    public Activity? Activity { get; set; }
    public TokenUsage? Usage { get; set; }

    /// <summary>Who the call counts against and what it charged; null when no governance check ran (an unknown model).</summary>
    public CallGovernance? Governance { get; set; }

    /// <summary>Prices a deployment's usage in US dollars; set by the governance checks.</summary>
    public Func<Deployment, TokenUsage, double>? CostOf { get; set; }

    /// <summary>What the call cost, once a deployment answered with usage.</summary>
    public double? Cost => ServedBy is { } deployment && Usage is { } usage && CostOf is { } cost ? cost(deployment, usage) : null;
    public double OverheadMilliseconds { get; private set; }

    public CancellationToken Aborted => Context.RequestAborted;

    /// <summary>Starts a stretch of time spent on an upstream (or a retry delay), which is not the gateway's overhead.</summary>
    public void BeginUpstreamWait() => _waitStartedAt = Stopwatch.GetTimestamp();

    public void EndUpstreamWait()
    {
        if (_waitStartedAt != 0)
        {
            _upstreamTicks += Stopwatch.GetTimestamp() - _waitStartedAt;
            _waitStartedAt = 0;
        }
    }

    /// <summary>Names the answering deployment in the response headers; call just before the response starts.</summary>
    public void WriteGatewayHeaders(Deployment deployment)
    {
        ServedBy = deployment;
        ResponseStarted();
        OverheadMilliseconds = Stopwatch.GetElapsedTime(StartedAt).TotalMilliseconds - Stopwatch.GetElapsedTime(0, _upstreamTicks).TotalMilliseconds;
        var headers = Context.Response.Headers;
        headers[ProviderHeader] = deployment.ProviderName;
        headers[DeploymentHeader] = deployment.HeaderId;
        WriteAttempts();
        headers[OverheadHeader] = Math.Max(0, OverheadMilliseconds).ToString("0.###", CultureInfo.InvariantCulture);
    }

    public void AttemptFailed(Deployment deployment, Providers.AttemptOutcome outcome, long sentAt)
    {
        ResponseStartedAt = 0;
        (FailedAttempts ??= []).Add(new FailedAttempt(deployment, outcome, sentAt, Stopwatch.GetTimestamp()));
    }

    public void WriteAttempts() => Context.Response.Headers[AttemptsHeader] = Attempts.ToString(CultureInfo.InvariantCulture);

    public void Dispose() => Body.Dispose();
}

/// <summary>An attempt that did not answer: where it went, how it failed, and when (<see cref="Stopwatch"/> ticks).</summary>
internal readonly record struct FailedAttempt(Deployment Deployment, Providers.AttemptOutcome Outcome, long SentAt, long EndedAt);
