using Gateway.Routing;

namespace Gateway.Configuration;

/// <summary>
/// Loads the config before the gateway serves (an invalid one stops start-up with every bad field named) and
/// says what it serves: the file, the models, deployments that cannot be called and why.
/// </summary>
internal sealed partial class GatewayConfigStartup(ModelCatalog catalog, ILogger<GatewayConfigStartup> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var config = catalog.Config;
        if (config.SourcePath is null)
        {
            LogNoConfig(logger);
        }
        else
        {
            LogLoaded(logger, config.SourcePath, catalog.Groups.Count, config.ModelList.Count, Names(catalog.Current));
        }

        ReportProblems(logger, catalog.Current);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>The served names: exact model groups, then wildcard patterns.</summary>
    internal static string Names(ModelCatalogSnapshot snapshot) =>
        string.Join(", ", snapshot.Groups.Select(g => g.Name).Concat(snapshot.Patterns.Select(p => p.Pattern)));

    /// <summary>Logs the config's warnings and every deployment that cannot be called, with the reason.</summary>
    internal static void ReportProblems(ILogger logger, ModelCatalogSnapshot snapshot)
    {
        foreach (var warning in snapshot.Config.Warnings)
        {
            LogWarning(logger, warning);
        }

        foreach (var deployment in snapshot.Deployments.Where(d => d.UnusableReason is not null))
        {
            LogUnusable(logger, deployment.Id, deployment.Config.Index, deployment.UnusableReason!);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Gateway config {Path}: {Groups} models from {Deployments} deployments ({Names})")]
    private static partial void LogLoaded(ILogger logger, string path, int groups, int deployments, string names);

    [LoggerMessage(Level = LogLevel.Warning, Message = "No gateway config given (--config <path> or CONFIG_FILE_PATH): no models are served")]
    private static partial void LogNoConfig(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Gateway config: {Warning}")]
    private static partial void LogWarning(ILogger logger, string warning);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Deployment {Deployment} (model_list[{Index}]) cannot be called: {Reason}")]
    private static partial void LogUnusable(ILogger logger, string deployment, int index, string reason);
}
