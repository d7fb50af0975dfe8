namespace Storage.Relational.Entities;

/// <summary>
/// A project's own price for models matching <see cref="MatchPattern"/>; it beats the shipped defaults when the
/// ingestion worker computes costs. Prices are US dollars per unit, by usage key, as JSON (<c>{"input":2.5e-6,…}</c>).
/// </summary>
public sealed class ModelPriceOverride
{
    public required string Id { get; init; }
    public required string ProjectId { get; init; }
    public required string ModelName { get; set; }
    public required string MatchPattern { get; set; }
    public required string PricesJson { get; set; }
    public DateTime? StartDate { get; set; }
    public DateTime CreatedAt { get; init; }
    public Project? Project { get; init; }
}
