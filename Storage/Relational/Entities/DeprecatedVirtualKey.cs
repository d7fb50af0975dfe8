namespace Storage.Relational.Entities;

/// <summary>A regenerated key's previous token, still accepted (as the active key) until <see cref="RevokeAt"/>.</summary>
public sealed class DeprecatedVirtualKey
{
    public required string Token { get; init; }

    public required string ActiveToken { get; set; }

    public DateTime RevokeAt { get; set; }

    public DateTime CreatedAt { get; init; }
}
