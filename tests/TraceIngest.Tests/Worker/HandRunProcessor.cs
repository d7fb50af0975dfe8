using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Storage.Blobs;
using Storage.Pricing;
using TraceIngest.Ingestion;
using TraceIngest.Worker;

namespace TraceIngest.Tests.Worker;

/// <summary>The worker's batch processor over a test host's stores, run by hand so a test chooses the rounds and can deliver batches again.</summary>
internal static class HandRunProcessor
{
    public static IngestionBatchProcessor For(IServiceProvider services) => new(
        services.GetRequiredService<IBlobStore>(),
        services.GetRequiredService<TraceRowStore>(),
        services.GetRequiredService<StoredEntityIds>(),
        ActivatorUtilities.CreateInstance<WorkerTraceSummaries>(services),
        new IngestionEventMerger(ModelPriceTable.LoadDefaults()),
        ActivatorUtilities.CreateInstance<ProjectModelPrices>(services),
        services.GetRequiredService<IOptions<IngestionOptions>>(),
        TimeProvider.System,
        NullLogger<IngestionBatchProcessor>.Instance);
}
