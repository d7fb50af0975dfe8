namespace Gateway.Routing;

/// <summary>The deployments serving one <c>model_name</c>, and where calls go when none of them can answer.</summary>
internal sealed record ModelGroup(string Name, IReadOnlyList<Deployment> Deployments, IReadOnlyList<string> Fallbacks, IReadOnlyList<string> ContextWindowFallbacks)
{
    /// <summary>The groups a call to this one tries in order: itself, then its <see cref="Fallbacks"/>; built once, not per call.</summary>
    public IReadOnlyList<string> Chain { get; } = [Name, .. Fallbacks];
}
