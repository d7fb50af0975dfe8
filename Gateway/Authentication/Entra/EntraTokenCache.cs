using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace Gateway.Authentication.Entra;

/// <summary>
/// Tickets of validated Entra ID tokens by the token's SHA-256, each kept until the token expires, at most
/// <see cref="EntraIdOptions.TokenCacheSize"/> of them: a caller's next calls skip signature and claim validation.
/// Cached tickets are shared between requests and must not be changed.
/// </summary>
internal sealed class EntraTokenCache : IDisposable
{
    private readonly MemoryCache _tickets;
    private readonly TimeProvider _clock;

    public EntraTokenCache(IOptions<EntraIdOptions> options, TimeProvider clock)
    {
        _clock = clock;
        _tickets = new MemoryCache(new MemoryCacheOptions { SizeLimit = options.Value.TokenCacheSize });
    }

    public bool TryGet(TokenHash token, out AuthenticationTicket ticket)
    {
        if (_tickets.TryGetValue(token, out Entry? entry) && entry!.ExpiresAt > _clock.GetUtcNow())
        {
            ticket = entry.Ticket;
            return true;
        }

        ticket = null!;
        return false;
    }

    public void Add(TokenHash token, AuthenticationTicket ticket, DateTimeOffset expiresAt)
    {
        if (expiresAt <= _clock.GetUtcNow())
        {
            return;
        }

        // When full, the cache refuses new entries and compacts in the background; those tokens are validated again.
        _tickets.Set(token, new Entry(ticket, expiresAt), new MemoryCacheEntryOptions { Size = 1, AbsoluteExpiration = expiresAt });
    }

    public void Dispose() => _tickets.Dispose();

    private sealed record Entry(AuthenticationTicket Ticket, DateTimeOffset ExpiresAt);
}
