namespace Storage.Relational.Entities;

/// <summary>
/// Spend and usage of one day, per key, team, internal user, end user and model (empty string where a call had
/// none): the rollup flushed in batches from the gateway, never a row per request.
/// </summary>
public sealed class DailySpend
{
    public DateOnly Date { get; init; }

    /// <summary>The key's token (SHA-256), never the key.</summary>
    public required string ApiKey { get; init; }

    public required string TeamId { get; init; }

    public required string UserId { get; init; }

    public required string EndUser { get; init; }

    public required string Model { get; init; }

    public double Spend { get; set; }

    public long PromptTokens { get; set; }

    public long CompletionTokens { get; set; }

    public long ApiRequests { get; set; }

    public long FailedRequests { get; set; }
}
