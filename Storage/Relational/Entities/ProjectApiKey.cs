using Storage.Security;

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

    /// <summary>A key row for a pair whose secret is known only now; the secret itself is not kept.</summary>
    public static ProjectApiKey Issue(string projectId, string publicKey, string secretKey, string? note, DateTime createdAt)
    {
        var (salt, hash) = ApiKeySecretHasher.Hash(secretKey);
        return new ProjectApiKey
        {
            Id = Guid.CreateVersion7().ToString("N"),
            ProjectId = projectId,
            PublicKey = publicKey,
            SecretSalt = salt,
            SecretHash = hash,
            DisplaySecretKey = ApiKeySecretHasher.Display(secretKey),
            Note = note,
            CreatedAt = createdAt,
        };
    }
}
