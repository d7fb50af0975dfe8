namespace Gateway.Tests.Routing;

/// <summary>Deployment rpm/tpm are counted per clock minute: a test that counts them waits out the end of a minute first.</summary>
internal static class MinuteBoundary
{
    public static async Task AvoidAsync(CancellationToken cancellationToken, int secondsNeeded = 20)
    {
        var now = DateTimeOffset.UtcNow;
        if (now.Second > 60 - secondsNeeded)
        {
            await Task.Delay(TimeSpan.FromSeconds(60 - now.Second) - TimeSpan.FromMilliseconds(now.Millisecond) + TimeSpan.FromMilliseconds(100), cancellationToken);
        }
    }
}
