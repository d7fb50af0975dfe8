using System.Text.Json.Nodes;
using Storage.Relational;
using Storage.Relational.Entities;

namespace Storage.Governance;

/// <summary>Who changes a gateway entity, as the audit log records it: a person's name or id, and the key they used if any.</summary>
public sealed record GovernanceActor(string Name, string? KeyToken = null)
{
    /// <summary>Adds an audit entry to <paramref name="db"/>, saved with the change it records.</summary>
    public void Audit(PlatformDbContext db, string action, string table, string objectId, JsonObject? before, JsonObject? after, DateTime at) =>
        db.AuditLog.Add(new AuditLogEntry
        {
            Id = Guid.CreateVersion7().ToString(),
            UpdatedAt = at,
            ChangedBy = Name,
            ChangedByApiKey = KeyToken,
            Action = action,
            TableName = table,
            ObjectId = objectId,
            BeforeValue = before?.ToJsonString(),
            UpdatedValues = after?.ToJsonString(),
        });
}
