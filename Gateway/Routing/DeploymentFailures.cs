using System.Collections.Concurrent;
using Gateway.Providers;
using Storage.Governance;

namespace Gateway.Routing;

/// <summary>
/// The last few failed attempts of each deployment on this replica, for the deployment health page. Only the
/// router's classification and the upstream status are kept, never an upstream body (it may echo a prompt or a key).
/// </summary>
internal sealed class DeploymentFailures(TimeProvider clock)
{
    public const int Kept = 10;
    private const int MaxDeployments = 8192;

    private readonly ConcurrentDictionary<string, Queue<DeploymentFailure>> _failures = new(StringComparer.Ordinal);

    public void Record(string deploymentId, FailureKind failure, int? upstreamStatus)
    {
        if (!_failures.TryGetValue(deploymentId, out var queue))
        {
            if (_failures.Count >= MaxDeployments)
            {
                return;
            }

            queue = _failures.GetOrAdd(deploymentId, static _ => new Queue<DeploymentFailure>(Kept));
        }

        lock (queue)
        {
            if (queue.Count == Kept)
            {
                queue.Dequeue();
            }

            queue.Enqueue(new DeploymentFailure(clock.GetUtcNow(), failure.ToString(), upstreamStatus));
        }
    }

    /// <summary>Newest first.</summary>
    public IReadOnlyList<DeploymentFailure> Of(string deploymentId)
    {
        if (!_failures.TryGetValue(deploymentId, out var queue))
        {
            return [];
        }

        lock (queue)
        {
            return [.. queue.Reverse()];
        }
    }
}
