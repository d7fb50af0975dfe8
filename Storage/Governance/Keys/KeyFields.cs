using Storage.Governance;
using Microsoft.EntityFrameworkCore;
using Storage.Relational;
using Storage.Relational.Entities;
using Storage.Security;

namespace Storage.Governance.Keys;

/// <summary>The fields of a virtual key, applied from a <c>/key/generate</c>, <c>/key/update</c> or <c>/key/regenerate</c> request and checked against the store.</summary>
public static class KeyFields
{
    /// <summary>A new key row for <paramref name="secret"/>; the secret itself is not kept.</summary>
    public static VirtualKey New(string secret, DateTimeOffset now, string createdBy) => new()
    {
        Token = VirtualKeyHasher.Token(secret),
        KeyName = ApiKeySecretHasher.Display(secret),
        CreatedAt = now.UtcDateTime,
        UpdatedAt = now.UtcDateTime,
        CreatedBy = createdBy,
        UpdatedBy = createdBy,
    };

    /// <summary>A key an admin chose (LiteLLM's <c>key</c> / <c>new_key</c>), or a new random one.</summary>
    public static string Secret(ManagementRequest request, string field, IGatewayModels gatewayModels)
    {
        if (request.String(field, maxLength: 512) is not { } chosen)
        {
            return SecretGenerator.Generate(SecretGenerator.GatewayKeyPrefix);
        }

        if (!VirtualKeyHasher.HasKeyShape(chosen) || chosen.Length < 8)
        {
            throw new ManagementRequestException($"{field} must start with 'sk-' and be at least 8 characters long.", field);
        }

        return gatewayModels.IsMasterKey(chosen)
            ? throw new ManagementRequestException($"{field} must not be the master key.", field)
            : chosen;
    }

    /// <summary>
    /// Applies every key field the request gives. Checks that the team exists, that the key's models are allowed by
    /// the team and that the alias is free; a user the store does not know yet is created, as LiteLLM does.
    /// </summary>
    public static async Task<List<InternalUser>> ApplyAsync(
        ManagementRequest request, VirtualKey key, PlatformDbContext db, IGatewayModels gatewayModels, DateTimeOffset now, CancellationToken cancellationToken)
    {
        request.RejectUnsupported(BudgetFields.Unsupported);
        if (request.String("key_type") is { } type && type is not ("default" or "llm_api"))
        {
            throw new ManagementRequestException($"key_type '{type}' is not supported by this gateway (only llm_api keys).", "key_type");
        }

        BudgetFields.Apply(request, key, now);
        if (request.String("key_alias") is { } alias)
        {
            if (await db.VirtualKeys.AnyAsync(k => k.KeyAlias == alias && k.Token != key.Token, cancellationToken))
            {
                throw new ManagementRequestException($"Key with alias '{alias}' already exists.", "key_alias");
            }

            key.KeyAlias = alias;
        }

        if (request.Duration("duration") is { } duration)
        {
            key.Expires = duration.After(now).UtcDateTime;
        }

        if (BudgetFields.Models(request, gatewayModels) is { } models)
        {
            key.Models = models;
        }

        if (request.Money("soft_budget") is { } softBudget)
        {
            key.SoftBudget = softBudget;
        }

        if (request.Bool("blocked") is { } blocked)
        {
            key.Blocked = blocked;
        }

        if (request.StringList("tags") is { } tags)
        {
            key.Tags = tags;
        }

        if (request.String("team_id") is { } teamId)
        {
            key.TeamId = teamId;
        }

        if (key.TeamId is not null)
        {
            var team = await db.Teams.AsNoTracking().FirstOrDefaultAsync(t => t.TeamId == key.TeamId, cancellationToken)
                ?? throw new ManagementRequestException($"team_id '{key.TeamId}' does not exist.", "team_id");
            if (key.Models.FirstOrDefault(m => m != ModelAccess.AllTeamModels && !ModelAccess.Allows(team.Models, m)) is { } outside)
            {
                throw new ManagementRequestException($"models: '{outside}' is not allowed for team '{team.TeamId}' (team models: {string.Join(", ", team.Models)}).", "models");
            }
        }

        var created = new List<InternalUser>();
        if (request.String("user_id") is { } userId)
        {
            key.UserId = userId;
            if (!await db.InternalUsers.AnyAsync(u => u.UserId == userId, cancellationToken) && !db.InternalUsers.Local.Any(u => u.UserId == userId))
            {
                var user = new InternalUser { UserId = userId, CreatedAt = now.UtcDateTime, UpdatedAt = now.UtcDateTime };
                db.InternalUsers.Add(user);
                created.Add(user);
            }
        }

        key.UpdatedAt = now.UtcDateTime;
        return created;
    }
}
