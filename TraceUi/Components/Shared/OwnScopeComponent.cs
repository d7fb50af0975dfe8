using Microsoft.AspNetCore.Components;
using Storage.Relational;

namespace TraceUi.Components.Shared;

/// <summary>
/// A component that resolves its services from a DI scope of its own, held for its lifetime. A page renders its
/// layout and child components while their queries are still running, so sharing the request's scope would put two
/// operations on one <see cref="PlatformDbContext"/> at once — a failure on PostgreSQL, whose reads are truly
/// asynchronous. Within one component the operations run one after another.
/// </summary>
public abstract class OwnScopeComponent : ComponentBase, IAsyncDisposable
{
    private AsyncServiceScope? _scope;

    [Inject]
    private IServiceScopeFactory Scopes { get; set; } = default!;

    /// <summary>This component's own services.</summary>
    protected IServiceProvider Services => (_scope ??= Scopes.CreateAsyncScope()).ServiceProvider;

    /// <summary>This component's own database context.</summary>
    protected PlatformDbContext Db => Services.GetRequiredService<PlatformDbContext>();

    public async ValueTask DisposeAsync()
    {
        if (_scope is { } scope)
        {
            _scope = null;
            await scope.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }
}
