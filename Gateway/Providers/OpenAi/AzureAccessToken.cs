using Azure.Core;

namespace Gateway.Providers.OpenAi;

/// <summary>
/// An Entra ID access token for one credential and scope, as Azure SDK clients keep theirs: fetched on first use,
/// reused until shortly before it expires (or its <c>refresh_in</c>), then fetched again with concurrent callers
/// sharing the one fetch. A token that is still valid is kept when a fetch fails. <see cref="RefreshAsync"/> fetches
/// one now, on an admin's demand.
/// </summary>
internal sealed class AzureAccessToken(Func<TokenCredential> createCredential, string scope, TimeProvider clock)
{
    private static readonly TimeSpan RefreshMargin = TimeSpan.FromMinutes(5);
    private readonly TokenRequestContext _request = new([scope]);
    private readonly Lock _lock = new();
    private TokenCredential? _credential;
    private Held? _current;
    private Task<Held>? _fetching;
    private bool _fetchingAnew;

    /// <summary>When the token held now expires; null before the first fetch.</summary>
    public DateTimeOffset? ExpiresOn => _current?.ExpiresOn;

    public async ValueTask<string> GetAsync(CancellationToken cancellationToken)
    {
        if (_current is { } current && clock.GetUtcNow() < current.RefreshAt)
        {
            return current.Token;
        }

        Task<Held> fetching;
        lock (_lock)
        {
            fetching = _fetching is { IsCompleted: false } running ? running : Start(anew: false);
        }

        try
        {
            return (await fetching.WaitAsync(cancellationToken)).Token;
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested && _current is { } stillValid && clock.GetUtcNow() < stillValid.ExpiresOn)
        {
            return stillValid.Token;
        }
    }

    /// <summary>
    /// Fetches a token now, however long the held one is still valid, and returns when it expires; concurrent
    /// refreshes share one fetch. It is fetched through a new credential: Azure.Identity's credentials answer from
    /// their own token cache until shortly before expiry, and a new one has an empty cache, so the identity provider
    /// is asked. On success that credential is used from then on; on failure (Azure.Identity's exception is thrown)
    /// the token and credential held before are kept.
    /// </summary>
    public async Task<DateTimeOffset> RefreshAsync(CancellationToken cancellationToken)
    {
        Task<Held> refreshing;
        lock (_lock)
        {
            refreshing = _fetching is { IsCompleted: false } running && _fetchingAnew ? running : Start(anew: true);
        }

        return (await refreshing.WaitAsync(cancellationToken)).ExpiresOn;
    }

    // Under _lock.
    private Task<Held> Start(bool anew)
    {
        _fetchingAnew = anew;
        return _fetching = FetchAsync(anew);
    }

    // Runs under _lock up to its first await (Start), so the credential is chosen under it.
    private async Task<Held> FetchAsync(bool anew)
    {
        var credential = anew ? createCredential() : (_credential ??= createCredential());
        // Not a caller's token: a call that gives up must not cancel the fetch others wait on.
        var token = await credential.GetTokenAsync(_request, CancellationToken.None);
        var held = new Held(token.Token, token.ExpiresOn, token.RefreshOn ?? token.ExpiresOn - RefreshMargin);
        lock (_lock)
        {
            if (anew)
            {
                _credential = credential;
            }

            // A cached token from a routine fetch that overlapped a refresh must not replace the refreshed one.
            if (anew || _current is null || held.ExpiresOn >= _current.ExpiresOn)
            {
                _current = held;
            }
        }

        return held;
    }

    private sealed record Held(string Token, DateTimeOffset ExpiresOn, DateTimeOffset RefreshAt)
    {
        public override string ToString() => $"access token until {ExpiresOn:O}";
    }
}
