namespace Storage.Relational.Entities;

/// <summary>A Langfuse-style key pair: the public key identifies the project, the secret is kept only as a salted hash.</summary>
public sealed class ProjectApiKey
{
    public required string Id { get; init; }
    public required string ProjectId { get; init; }
    public required string PublicKey { get; init; }
    public required byte[] SecretSalt { get; init; }
    public required byte[] SecretHash { get; init; }

    /// <summary>What the UI may show of the secret, e.g. <c>sk-lf-...3f9a</c>.</summary>
    public required string DisplaySecretKey { get; init; }

    public string? Note { get; set; }
    public DateTime CreatedAt { get; init; }
    public DateTime? ExpiresAt { get; set; }
    public DateTime? LastUsedAt { get; set; }
    public Project? Project { get; init; }
}
