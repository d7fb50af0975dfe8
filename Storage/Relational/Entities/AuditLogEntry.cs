namespace Storage.Relational.Entities;

/// <summary>One change made through the management API, as LiteLLM's audit log records it. Never holds a key, only its token.</summary>
public sealed class AuditLogEntry
{
    public required string Id { get; init; }

    public DateTime UpdatedAt { get; init; }

    /// <summary>Who made the change: the caller's user id, or <c>master_key</c>.</summary>
    public required string ChangedBy { get; init; }

    /// <summary>The token (SHA-256) of the key the change was made with, when it was a virtual key.</summary>
    public string? ChangedByApiKey { get; init; }

    /// <summary><c>created</c>, <c>updated</c>, <c>deleted</c>, <c>blocked</c>, <c>unblocked</c> or <c>regenerated</c>.</summary>
    public required string Action { get; init; }

    /// <summary><c>virtual_keys</c>, <c>teams</c>, <c>internal_users</c> or <c>end_users</c>.</summary>
    public required string TableName { get; init; }

    public required string ObjectId { get; init; }

    /// <summary>The object as JSON before the change; null for a creation.</summary>
    public string? BeforeValue { get; init; }

    /// <summary>The object as JSON after the change; null for a deletion.</summary>
    public string? UpdatedValues { get; init; }
}
