namespace Storage.Relational.Entities;

public sealed class Project
{
    public required string Id { get; init; }
    public required string OrganizationId { get; init; }
    public required string Name { get; set; }

    /// <summary>Days trace data is kept; null keeps it forever.</summary>
    public int? RetentionDays { get; set; }

    public DateTime CreatedAt { get; init; }
    public Organization? Organization { get; init; }
    public List<ProjectApiKey> ApiKeys { get; } = [];
}
