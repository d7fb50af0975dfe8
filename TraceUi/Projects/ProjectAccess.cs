using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Storage.Relational;
using Storage.Relational.Entities;
using TraceUi.Authentication;

namespace TraceUi.Projects;

/// <summary>
/// Which projects a signed-in person may read: every project for an administrator, otherwise the projects of the
/// organisations they are a member of. Every page and data endpoint asks this before it reads the trace store.
/// </summary>
public sealed class ProjectAccess(PlatformDbContext db)
{
    public async Task<List<Project>> VisibleAsync(ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        var visible = db.Projects.AsNoTracking();
        if (!user.IsInRole(UiAuthentication.AdminRole))
        {
            var userId = user.FindFirstValue(UiAuthentication.UserIdClaim);
            visible = visible.Where(p => p.Organization!.Members.Any(m => m.UserId == userId));
        }

        return await visible.OrderBy(p => p.Name).ToListAsync(cancellationToken);
    }

    /// <summary>Where the person starts: the first project of an organisation they belong to, else the first they may read.</summary>
    public async Task<Project?> HomeAsync(ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        var userId = user.FindFirstValue(UiAuthentication.UserIdClaim);
        var own = await db.Projects.AsNoTracking()
            .Where(p => p.Organization!.Members.Any(m => m.UserId == userId))
            .OrderBy(p => p.Name)
            .FirstOrDefaultAsync(cancellationToken);
        return own ?? (await VisibleAsync(user, cancellationToken)).FirstOrDefault();
    }

    /// <summary>The project if <paramref name="user"/> may read it; null when it does not exist or is not theirs.</summary>
    public async Task<Project?> FindAsync(ClaimsPrincipal user, string projectId, CancellationToken cancellationToken) =>
        (await VisibleAsync(user, cancellationToken)).SingleOrDefault(p => p.Id == projectId);
}
