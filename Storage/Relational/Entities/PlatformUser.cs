namespace Storage.Relational.Entities;

/// <summary>A person who signs in to TraceUi with a local password (embedded mode) or through Entra ID.</summary>
public sealed class PlatformUser
{
    public required string Id { get; init; }
    public required string Email { get; init; }
    public string? Name { get; set; }

    /// <summary>PBKDF2 hash in <see cref="Security.PasswordHasher"/>'s format; null for users who only sign in through Entra ID.</summary>
    public string? PasswordHash { get; set; }

    public bool IsAdmin { get; set; }
    public DateTime CreatedAt { get; init; }
    public List<OrganizationMembership> Memberships { get; } = [];
}
