namespace TestInfrastructure.FakeEntra;

public enum FakeEntraSigning
{
    /// <summary>The tenant's published signing key.</summary>
    TenantKey,

    /// <summary>A key the tenant never published.</summary>
    UnknownKey,

    /// <summary>No signature at all (<c>alg: none</c>).</summary>
    Unsigned,
}

/// <summary>
/// What an access token says, with Entra ID's v2.0 defaults: issued by the tenant for the API's client id, valid for
/// an hour, with a fresh object id and client application. Tests change only what they are about.
/// </summary>
public sealed record FakeEntraToken
{
    /// <summary>The <c>aud</c>; default the protected API's client id.</summary>
    public string? Audience { get; init; }

    public IReadOnlyList<string> Roles { get; init; } = [];

    /// <summary>Delegated scopes, written space-separated in <c>scp</c>.</summary>
    public IReadOnlyList<string> Scopes { get; init; } = [];

    public IReadOnlyList<string> Groups { get; init; } = [];

    /// <summary>The calling application (<c>azp</c>).</summary>
    public string ClientAppId { get; init; } = Guid.NewGuid().ToString();

    public string ObjectId { get; init; } = Guid.NewGuid().ToString();

    public DateTimeOffset? NotBefore { get; init; }

    public DateTimeOffset? Expires { get; init; }

    /// <summary>Another tenant's id: both <c>tid</c> and the issuer then name it.</summary>
    public string? TenantId { get; init; }

    /// <summary><c>ver</c>; null leaves the claim out.</summary>
    public string? Version { get; init; } = "2.0";

    public FakeEntraSigning Signing { get; init; } = FakeEntraSigning.TenantKey;
}
