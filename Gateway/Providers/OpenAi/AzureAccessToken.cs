using Azure.Core;

namespace Gateway.Providers.OpenAi;

/// <summary>
/// An Entra ID access token for one credential and scope, as Azure SDK clients keep theirs: fetched on first use,
/// reused until shortly before it expires (or its <c>refresh_in</c>), then fetched again with concurrent callers
/// sharing the one fetch. A token that is still valid is kept when a refresh fails.
/// </summary>
internal sealed class AzureAccessToken(TokenCredential credential, string scope, TimeProvider clock)
{
    private static readonly TimeSpan RefreshMargin = TimeSpan.FromMinutes(5);
    private readonly TokenRequestContext _request = new([scope]);
    private readonly Lock _lock = new();
    private Held? _current;
    private Task<Held>? _fetching;

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
            fetching = _fetching is { IsCompleted: false } running ? running : _fetching = FetchAsync();
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

    private async Task<Held> FetchAsync()
    {
        // Not a caller's token: a call that gives up must not cancel the fetch others wait on.
        var token = await credential.GetTokenAsync(_request, CancellationToken.None);
        var held = new Held(token.Token, token.ExpiresOn, token.RefreshOn ?? token.ExpiresOn - RefreshMargin);
        _current = held;
        return held;
    }

    private sealed record Held(string Token, DateTimeOffset ExpiresOn, DateTimeOffset RefreshAt)
    {
        public override string ToString() => $"access token until {ExpiresOn:O}";
    }
}
