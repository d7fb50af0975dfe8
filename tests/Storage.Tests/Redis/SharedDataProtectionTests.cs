using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using Storage.Redis;

namespace Storage.Tests.Redis;

public sealed class SharedDataProtectionTests(RedisServer redis)
{
    [Fact]
    public async Task What_one_replica_protects_another_replica_unprotects_through_Redis()
    {
        var settings = new Dictionary<string, string?> { ["ConnectionStrings:redis"] = redis.ConnectionString };
        await using var first = await SeamHost.StartAsync(settings, builder => builder.AddSharedDataProtection());
        await using var second = await SeamHost.StartAsync(settings, builder => builder.AddSharedDataProtection());

        var cookie = first.Get<IDataProtectionProvider>().CreateProtector("sign-in").Protect("user 42");

        Assert.Equal("user 42", second.Get<IDataProtectionProvider>().CreateProtector("sign-in").Unprotect(cookie));
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        Assert.True(await connection.GetDatabase().ListLengthAsync(SharedDataProtectionExtensions.KeyRingKey) > 0, "the key ring is not in Redis");
    }

    [Fact]
    public async Task Without_Redis_the_key_ring_stays_where_the_framework_keeps_it()
    {
        await using var host = await SeamHost.StartAsync(new Dictionary<string, string?>(), builder => builder.AddSharedDataProtection());

        var repository = host.Get<IOptions<KeyManagementOptions>>().Value.XmlRepository;

        Assert.False(repository?.GetType().Name.Contains("Redis", StringComparison.Ordinal) ?? false);
    }
}
