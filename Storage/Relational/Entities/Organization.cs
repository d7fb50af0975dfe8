namespace Storage.Relational.Entities;

public sealed class Organization
{
    public required string Id { get; init; }
    public required string Name { get; set; }
    public DateTime CreatedAt { get; init; }
    public List<Project> Projects { get; } = [];
    public List<OrganizationMembership> Members { get; } = [];
}
