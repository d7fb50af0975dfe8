namespace Gateway.Routing;

/// <summary>
/// How long to wait before calling a deployment that already failed this call: what its <c>Retry-After</c> asked
/// for, otherwise exponential backoff from 0.5 s to 8 s with jitter; never less than <c>retry_after</c>.
/// </summary>
internal static class RetryDelay
{
    /// <summary>A deployment asking for a longer wait than this is not retried within the call.</summary>
    public static readonly TimeSpan MaxHonoured = TimeSpan.FromSeconds(60);

    private static readonly TimeSpan Initial = TimeSpan.FromSeconds(0.5);
    private static readonly TimeSpan Max = TimeSpan.FromSeconds(8);

    public static TimeSpan For(int retry, TimeSpan? retryAfter, TimeSpan minimum)
    {
        TimeSpan delay;
        if (retryAfter is { } asked)
        {
            delay = asked;
        }
        else
        {
            var exponential = Initial * Math.Pow(2, Math.Max(0, retry - 1));
            delay = (exponential < Max ? exponential : Max) * (0.75 + Random.Shared.NextDouble() * 0.25);
        }

        return delay < minimum ? minimum : delay;
    }
}
