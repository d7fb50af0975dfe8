using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.Extensions.DependencyInjection;
using Storage.Redis;

namespace Gateway.Tests.Authentication;

/// <summary>The gateway protects nothing, so its start must not load (or create) a data protection key ring; a service beside it that does keeps the preload.</summary>
public sealed class KeyRingPreloadTests : IDisposable
{
    private readonly TemporaryDirectory _data = new();

    [Fact]
    public async Task The_gateway_starts_without_reading_or_writing_a_key_ring()
    {
        var keys = new RecordingXmlRepository();

        await using var host = await GatewayHost.StartAsync(_data, configure: builder => UseRepository(builder.Services, keys));

        Assert.Equal(0, keys.Reads);
        Assert.Empty(keys.Stored);
    }

    [Fact]
    public async Task A_service_that_protects_data_beside_the_gateway_still_loads_its_key_ring_at_start()
    {
        var keys = new RecordingXmlRepository();

        // As Standalone composes it: TraceUi's data protection is registered after the gateway.
        await using var host = await GatewayHost.StartAsync(_data, configure: builder =>
        {
            builder.AddSharedDataProtection();
            UseRepository(builder.Services, keys);
        });

        Assert.True(keys.Reads > 0);
        Assert.NotEmpty(keys.Stored);
    }

    private static void UseRepository(IServiceCollection services, IXmlRepository repository) =>
        services.Configure<KeyManagementOptions>(options => options.XmlRepository = repository);

    public void Dispose() => _data.Dispose();

    /// <summary>An in-memory key store that counts how often the key ring is read.</summary>
    private sealed class RecordingXmlRepository : IXmlRepository
    {
        private readonly List<XElement> _elements = [];
        private int _reads;

        public int Reads => Volatile.Read(ref _reads);

        public IReadOnlyList<XElement> Stored
        {
            get
            {
                lock (_elements)
                {
                    return [.. _elements];
                }
            }
        }

        public IReadOnlyCollection<XElement> GetAllElements()
        {
            Interlocked.Increment(ref _reads);
            return Stored;
        }

        public void StoreElement(XElement element, string friendlyName)
        {
            lock (_elements)
            {
                _elements.Add(new XElement(element));
            }
        }
    }
}
