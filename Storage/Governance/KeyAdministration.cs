using Microsoft.EntityFrameworkCore;
using Storage.Governance.Keys;
using Storage.Relational;
using Storage.Relational.Entities;

namespace Storage.Governance;

/// <summary>
/// Every change to virtual keys, for the gateway's management API and for TraceUi alike: LiteLLM's validation, the
/// key hashed before it is stored (the secret is returned once and kept nowhere), an audit entry saved with each
/// change, and the change announced to every replica's cache once it is saved.
/// </summary>
public sealed class KeyAdministration(PlatformDbContext db, IGatewayModels models, GovernanceAnnouncer announcer, TimeProvider clock)
{
    public const string Table = "virtual_keys";

    public async Task<IssuedKey> GenerateAsync(ManagementRequest request, GovernanceActor actor, CancellationToken cancellationToken)
    {
        var issued = await IssueAsync(request, actor, clock.GetUtcNow(), cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await announcer.AnnounceAsync([CacheEntries.Key(issued.Key.Token)], cancellationToken);
        return issued;
    }

    /// <summary>Adds a new key (and any user it names that does not exist yet) to the context, audited, unsaved.</summary>
    public async Task<IssuedKey> IssueAsync(ManagementRequest request, GovernanceActor actor, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var secret = KeyFields.Secret(request, "key", models);
        var key = KeyFields.New(secret, now, actor.Name);
        if (await db.VirtualKeys.AnyAsync(k => k.Token == key.Token, cancellationToken))
        {
            throw new ManagementRequestException("A key with this value already exists.", "key");
        }

        foreach (var user in await KeyFields.ApplyAsync(request, key, db, models, now, cancellationToken))
        {
            actor.Audit(db, "created", UserAdministration.Table, user.UserId, null, ManagementJson.User(user), now.UtcDateTime);
        }

        db.VirtualKeys.Add(key);
        actor.Audit(db, "created", Table, key.Token, null, ManagementJson.Key(key), now.UtcDateTime);
        return new IssuedKey(key, secret);
    }

    /// <summary>Applies the fields <paramref name="request"/> gives to the key with <paramref name="token"/>.</summary>
    public async Task<VirtualKey> UpdateAsync(string token, ManagementRequest request, GovernanceActor actor, CancellationToken cancellationToken)
    {
        var key = await FindAsync(token, cancellationToken);
        var before = ManagementJson.Key(key);
        var now = clock.GetUtcNow();
        foreach (var user in await KeyFields.ApplyAsync(request, key, db, models, now, cancellationToken))
        {
            actor.Audit(db, "created", UserAdministration.Table, user.UserId, null, ManagementJson.User(user), now.UtcDateTime);
        }

        key.UpdatedBy = actor.Name;
        actor.Audit(db, "updated", Table, key.Token, before, ManagementJson.Key(key), now.UtcDateTime);
        await db.SaveChangesAsync(cancellationToken);
        await announcer.AnnounceAsync(await EntriesOfAsync([key.Token], cancellationToken), cancellationToken);
        return key;
    }

    public async Task<VirtualKey> SetBlockedAsync(string token, bool blocked, GovernanceActor actor, CancellationToken cancellationToken)
    {
        var key = await FindAsync(token, cancellationToken);
        var before = ManagementJson.Key(key);
        var now = clock.GetUtcNow().UtcDateTime;
        key.Blocked = blocked;
        key.UpdatedAt = now;
        key.UpdatedBy = actor.Name;
        actor.Audit(db, blocked ? "blocked" : "unblocked", Table, key.Token, before, ManagementJson.Key(key), now);
        await db.SaveChangesAsync(cancellationToken);
        await announcer.AnnounceAsync(await EntriesOfAsync([key.Token], cancellationToken), cancellationToken);
        return key;
    }

    /// <summary>
    /// Replaces a key with a new secret and the same settings. The old secret keeps working for the grace period
    /// (<c>grace_period</c>, else <paramref name="defaultGrace"/>, else not at all).
    /// </summary>
    public async Task<IssuedKey> RegenerateAsync(
        string token, ManagementRequest request, BudgetDuration? defaultGrace, GovernanceActor actor, CancellationToken cancellationToken)
    {
        var old = await FindAsync(token, cancellationToken);
        var grace = request.Duration("grace_period") ?? defaultGrace;
        var now = clock.GetUtcNow();
        var secret = KeyFields.Secret(request, "new_key", models);
        var renewed = KeyFields.New(secret, now, old.CreatedBy ?? actor.Name);
        CopySettings(old, renewed);
        if (request.String("key_alias") == old.KeyAlias)
        {
            // Its own alias is not taken by another key.
            request.Body.Remove("key_alias");
        }

        foreach (var user in await KeyFields.ApplyAsync(request, renewed, db, models, now, cancellationToken))
        {
            actor.Audit(db, "created", UserAdministration.Table, user.UserId, null, ManagementJson.User(user), now.UtcDateTime);
        }

        renewed.UpdatedBy = actor.Name;
        var entries = await EntriesOfAsync([old.Token], cancellationToken);
        foreach (var previous in await db.DeprecatedVirtualKeys.Where(d => d.ActiveToken == old.Token).ToListAsync(cancellationToken))
        {
            previous.ActiveToken = renewed.Token;
        }

        // Kept even without a grace period (revoked at once), so spend still buffered under the old token reaches the new key.
        db.DeprecatedVirtualKeys.Add(new DeprecatedVirtualKey
        {
            Token = old.Token,
            ActiveToken = renewed.Token,
            RevokeAt = (grace?.After(now) ?? now).UtcDateTime,
            CreatedAt = now.UtcDateTime,
        });
        actor.Audit(db, "regenerated", Table, old.Token, ManagementJson.Key(old), ManagementJson.Key(renewed), now.UtcDateTime);
        db.VirtualKeys.Remove(old);
        db.VirtualKeys.Add(renewed);
        await db.SaveChangesAsync(cancellationToken);
        await announcer.AnnounceAsync([.. entries, CacheEntries.Key(renewed.Token)], cancellationToken);
        return new IssuedKey(renewed, secret);
    }

    /// <summary>LiteLLM's spend reset: <c>reset_to</c> (0 or more, at most the current spend); the budget counts again from it at once.</summary>
    public async Task<VirtualKey> ResetSpendAsync(string token, ManagementRequest request, GovernanceActor actor, CancellationToken cancellationToken)
    {
        var row = await FindAsync(token, cancellationToken);
        var resetTo = request.Money("reset_to") ?? throw new ManagementRequestException("reset_to is required.", "reset_to");
        if (resetTo > row.Spend)
        {
            throw new ManagementRequestException($"reset_to ({resetTo}) must not be more than the current spend ({row.Spend}).", "reset_to");
        }

        var before = ManagementJson.Key(row);
        var now = clock.GetUtcNow().UtcDateTime;
        row.Spend = resetTo;
        row.SpendSetAt = now;
        row.UpdatedAt = now;
        row.UpdatedBy = actor.Name;
        actor.Audit(db, "updated", Table, row.Token, before, ManagementJson.Key(row), now);
        await db.SaveChangesAsync(cancellationToken);
        await announcer.AnnounceAsync(await EntriesOfAsync([row.Token], cancellationToken), cancellationToken);
        return row;
    }

    /// <summary>Deletes keys named by token or alias; nothing is deleted when any of them is unknown.</summary>
    public async Task DeleteAsync(IReadOnlyList<string> tokens, IReadOnlyList<string> aliases, GovernanceActor actor, CancellationToken cancellationToken)
    {
        if (tokens.Count == 0 && aliases.Count == 0)
        {
            throw new ManagementRequestException("At least one of 'keys' or 'key_aliases' must be provided.", "keys");
        }

        var rows = await db.VirtualKeys.Where(k => tokens.Contains(k.Token) || (k.KeyAlias != null && aliases.Contains(k.KeyAlias))).ToListAsync(cancellationToken);
        var unknown = tokens.Where(t => rows.All(k => k.Token != t)).Concat(aliases.Where(a => rows.All(k => k.KeyAlias != a))).ToList();
        if (unknown.Count > 0)
        {
            throw new ManagementRequestException($"Unknown key(s): {string.Join(", ", unknown)}; nothing was deleted.", "keys");
        }

        var entries = await EntriesOfAsync(rows.Select(k => k.Token).ToList(), cancellationToken);
        await DeleteRowsAsync(rows, actor, clock.GetUtcNow(), cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await announcer.AnnounceAsync(entries, cancellationToken);
    }

    /// <summary>Removes keys (and their previous tokens) from the context, audited, unsaved.</summary>
    public async Task DeleteRowsAsync(List<VirtualKey> rows, GovernanceActor actor, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var tokens = rows.Select(k => k.Token).ToList();
        db.DeprecatedVirtualKeys.RemoveRange(await db.DeprecatedVirtualKeys.Where(d => tokens.Contains(d.ActiveToken)).ToListAsync(cancellationToken));
        foreach (var key in rows)
        {
            actor.Audit(db, "deleted", Table, key.Token, ManagementJson.Key(key), null, now.UtcDateTime);
        }

        db.VirtualKeys.RemoveRange(rows);
    }

    public async Task<VirtualKey> FindAsync(string token, CancellationToken cancellationToken) =>
        await db.VirtualKeys.FirstOrDefaultAsync(k => k.Token == token, cancellationToken)
        ?? throw new ManagementRequestException($"Key not found: no key has token {token}.", "key");

    /// <summary>The cache entries of keys: their tokens and the previous tokens that still resolve to them.</summary>
    public async Task<List<string>> EntriesOfAsync(List<string> tokens, CancellationToken cancellationToken)
    {
        var previous = await db.DeprecatedVirtualKeys.AsNoTracking().Where(d => tokens.Contains(d.ActiveToken)).Select(d => d.Token).ToListAsync(cancellationToken);
        return [.. tokens.Concat(previous).Select(CacheEntries.Key)];
    }

    private static void CopySettings(VirtualKey from, VirtualKey to)
    {
        to.KeyAlias = from.KeyAlias;
        to.Models = [.. from.Models];
        to.Spend = from.Spend;
        to.MaxBudget = from.MaxBudget;
        to.SoftBudget = from.SoftBudget;
        to.BudgetDuration = from.BudgetDuration;
        to.BudgetResetAt = from.BudgetResetAt;
        to.SpendSetAt = from.SpendSetAt;
        to.TpmLimit = from.TpmLimit;
        to.RpmLimit = from.RpmLimit;
        to.MaxParallelRequests = from.MaxParallelRequests;
        to.Expires = from.Expires;
        to.Blocked = from.Blocked;
        to.TeamId = from.TeamId;
        to.UserId = from.UserId;
        to.Tags = [.. from.Tags];
        to.Metadata = from.Metadata;
    }
}

/// <summary>A key just made: the secret is here once, to be shown once, and is stored nowhere.</summary>
public sealed record IssuedKey(VirtualKey Key, string Secret)
{
    // Records print their members; a key must never reach a log through ToString.
    public override string ToString() => $"IssuedKey {{ Token = {Key.Token}, KeyName = {Key.KeyName} }}";
}
