using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Storage.Relational;
using Storage.Security;

namespace TraceIngest.Authentication;

/// <summary>
/// Resolves a Langfuse key pair to its project. Verified pairs are cached under a hash of the pair (never the
/// secret itself) for a short time, so a busy SDK costs one store lookup per minute, and a revoked key stops
/// working within that minute.
/// </summary>
internal sealed class ProjectApiKeyVerifier(IServiceScopeFactory scopes, IMemoryCache cache, TimeProvider clock)
{
    private static readonly TimeSpan CacheLifetime = TimeSpan.FromMinutes(1);

    public async ValueTask<string?> FindProjectAsync(string publicKey, string secretKey, CancellationToken cancellationToken)
    {
        var cacheKey = CacheKey(publicKey, secretKey);
        if (cache.TryGetValue(cacheKey, out string? projectId))
        {
            return projectId;
        }

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PlatformDbContext>();
        var key = await db.ProjectApiKeys.AsNoTracking()
            .Where(k => k.PublicKey == publicKey)
            .Select(k => new { k.ProjectId, k.SecretSalt, k.SecretHash, k.ExpiresAt })
            .SingleOrDefaultAsync(cancellationToken);

        if (key is null || !ApiKeySecretHasher.Verify(secretKey, key.SecretSalt, key.SecretHash)
            || key.ExpiresAt is { } expiry && expiry <= clock.GetUtcNow().UtcDateTime)
        {
            return null;
        }

        cache.Set(cacheKey, key.ProjectId, CacheLifetime);
        return key.ProjectId;
    }

    private static string CacheKey(string publicKey, string secretKey) =>
        "project-key:" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(publicKey + "\n" + secretKey)));
}
