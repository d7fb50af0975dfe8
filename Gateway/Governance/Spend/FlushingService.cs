namespace Gateway.Governance.Spend;

/// <summary>Something held in memory or a buffer, sent on at a fixed interval and once more when the host stops, so nothing is left behind.</summary>
internal abstract class FlushingService(TimeSpan interval, TimeProvider clock) : BackgroundService
{
    protected TimeProvider Clock => clock;

    /// <summary>Sends everything held now.</summary>
    public abstract Task FlushAsync(CancellationToken cancellationToken);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(interval, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await FlushAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await FlushAsync(cancellationToken);
    }
}
