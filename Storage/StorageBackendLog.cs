using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Storage;

/// <summary>Says at start-up which implementation of each seam is in use, so an operator never has to guess.</summary>
internal sealed partial class StorageBackendLog(IEnumerable<StorageBackend> backends, ILogger<StorageBackendLog> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var backend in backends)
        {
            LogBackend(backend.Seam, backend.Implementation, backend.Location);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Storage seam {Seam} uses {Implementation} at {Location}")]
    private partial void LogBackend(string seam, string implementation, string location);
}
