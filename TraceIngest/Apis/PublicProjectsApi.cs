using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Storage.Relational;
using TraceIngest.Authentication;

namespace TraceIngest.Apis;

/// <summary>
/// <c>GET /api/public/projects</c>: the project the presented key belongs to. Langfuse SDKs call it to check
/// their credentials (<c>auth_check</c>).
/// </summary>
public static class PublicProjectsApi
{
    public static IEndpointRouteBuilder MapPublicProjectsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/public/projects", GetProjectsAsync)
            .RequireAuthorization(ProjectApiKeyAuthenticationHandler.PolicyName)
            .WithTags("Projects");
        return app;
    }

    private static async Task<Ok<ProjectList>> GetProjectsAsync(ClaimsPrincipal caller, PlatformDbContext db, CancellationToken cancellationToken)
    {
        var projectId = caller.FindFirstValue(ProjectApiKeyAuthenticationHandler.ProjectIdClaim);
        var projects = await db.Projects.AsNoTracking()
            .Where(p => p.Id == projectId)
            .Select(p => new PublicProject(p.Id, p.Name, new Dictionary<string, object>(), p.RetentionDays))
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(new ProjectList(projects));
    }

    public sealed record ProjectList(IReadOnlyList<PublicProject> Data);

    public sealed record PublicProject(string Id, string Name, IReadOnlyDictionary<string, object> Metadata, int? RetentionDays);
}
