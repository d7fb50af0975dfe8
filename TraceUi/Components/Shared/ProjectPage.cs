using Microsoft.AspNetCore.Components;
using Storage.Relational.Entities;
using TraceUi.Projects;

namespace TraceUi.Components.Shared;

/// <summary>
/// A page about one project: it loads only after <see cref="ProjectAccess"/> confirms the signed-in person may read
/// the project, and answers 404 otherwise (the same answer as for a project that does not exist).
/// </summary>
public abstract class ProjectPage : OwnScopeComponent
{
    [Parameter]
    public string ProjectId { get; set; } = string.Empty;

    [CascadingParameter]
    protected HttpContext HttpContext { get; set; } = default!;

    protected ProjectAccess Access => Services.GetRequiredService<ProjectAccess>();

    [Inject]
    protected TimeProvider Clock { get; set; } = default!;

    protected Project? Project { get; private set; }

    protected CancellationToken Aborted => HttpContext.RequestAborted;

    protected DateTime Now => Clock.GetUtcNow().UtcDateTime;

    protected sealed override async Task OnInitializedAsync()
    {
        Project = await Access.FindAsync(HttpContext.User, ProjectId, Aborted);
        if (Project is null)
        {
            HttpContext.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        await LoadAsync();
    }

    protected abstract Task LoadAsync();

    protected string ProjectPath(string rest) => $"/project/{Uri.EscapeDataString(ProjectId)}/{rest}";
}
