namespace Storage.Relational.Entities;

public sealed class OrganizationMembership
{
    public required string OrganizationId { get; init; }
    public required string UserId { get; init; }
    public required OrganizationRole Role { get; set; }
    public DateTime CreatedAt { get; init; }
    public Organization? Organization { get; init; }
    public PlatformUser? User { get; init; }
}

public enum OrganizationRole
{
    Viewer = 0,
    Member = 1,
    Admin = 2,
    Owner = 3,
}
