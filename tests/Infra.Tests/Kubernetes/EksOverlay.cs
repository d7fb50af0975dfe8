namespace Infra.Tests.Kubernetes;

/// <summary>The EKS overlay, rendered once for every test class that reads it.</summary>
public sealed class EksOverlay : IAsyncLifetime
{
    public const string Directory = "infra/k8s/overlays/eks";

    private RenderedManifests? _manifests;

    public RenderedManifests Manifests => _manifests ?? throw new InvalidOperationException("Not rendered yet.");

    public async ValueTask InitializeAsync() => _manifests = await RenderedManifests.RenderAsync(Directory);

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

[CollectionDefinition(Name)]
public sealed class EksOverlayCollection : ICollectionFixture<EksOverlay>
{
    public const string Name = "EKS overlay";
}
