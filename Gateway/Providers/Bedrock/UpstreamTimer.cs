using Gateway.Inbound;

namespace Gateway.Providers.Bedrock;

/// <summary>
/// The deployment's timeout as a limit on silence: restarted before every send and read, it cancels
/// <see cref="Token"/> when the upstream says nothing for that long (or the caller leaves).
/// </summary>
internal sealed class UpstreamTimer(TimeSpan timeout, CancellationToken callerAborted) : IDisposable
{
    private readonly CancellationTokenSource _source = CancellationTokenSource.CreateLinkedTokenSource(callerAborted);

    public CancellationToken Token => _source.Token;

    public void Restart() => _source.CancelAfter(timeout);

    /// <summary>What a cancelled or failed exchange means: the caller left, the upstream went silent, or <paramref name="otherwise"/>.</summary>
    public AttemptOutcome Outcome(GatewayCall call, FailureKind otherwise) =>
        call.Aborted.IsCancellationRequested ? AttemptOutcome.Abandoned
        : _source.IsCancellationRequested ? AttemptOutcome.Failed(FailureKind.Timeout)
        : AttemptOutcome.Failed(otherwise);

    public void Dispose() => _source.Dispose();
}
