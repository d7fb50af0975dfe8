using System.Security.Claims;
using Microsoft.AspNetCore.Components;
using Storage.Governance;
using TraceUi.Authentication;
using TraceUi.Components.Shared;

namespace TraceUi.Components.GatewayAdmin;

/// <summary>
/// A page of the Gateway section. Everyone signed in may look; every change checks the admin role on the server
/// (a viewer's post is answered 403 whatever the page showed) and goes through the operations the gateway's
/// management API uses, so validation, hashing, the audit log and cache invalidation are the same.
/// </summary>
public abstract class GatewayPage : OwnScopeComponent
{
    [CascadingParameter]
    protected HttpContext HttpContext { get; set; } = default!;

    [Inject]
    protected TimeProvider Clock { get; set; } = default!;

    protected bool IsAdmin { get; private set; }

    /// <summary>
    /// Why changes cannot be made now, or null: no gateway composed in this host nor configured at
    /// <c>TraceUi:Gateway:Url</c>, or that gateway cannot be reached (see docs/architecture.md).
    /// </summary>
    protected string? GatewayNotice { get; set; }

    protected string? Error { get; set; }

    protected string? Done { get; set; }

    protected CancellationToken Aborted => HttpContext.RequestAborted;

    protected DateTime Now => Clock.GetUtcNow().UtcDateTime;

    protected sealed override async Task OnInitializedAsync()
    {
        IsAdmin = HttpContext.User.IsInRole(UiAuthentication.AdminRole);
        GatewayNotice = Services.GetService<IGatewayModels>() is { } models
            ? await models.RefreshAsync(Aborted) is { } failure ? Unreachable(failure) : null
            : NotConfigured;
        await LoadAsync();
    }

    protected abstract Task LoadAsync();

    /// <summary>The person the audit log names for a change made here.</summary>
    protected GovernanceActor Actor =>
        new($"{HttpContext.User.FindFirstValue(ClaimTypes.Email) ?? HttpContext.User.Identity?.Name ?? "unknown"} (TraceUi)");

    /// <summary>
    /// Runs an admin change: refused with 403 for anyone else, a refused request (the shared validation's message)
    /// answered 400 on the page, then the page's data read again.
    /// </summary>
    protected async Task ChangeAsync(Func<IServiceProvider, Task<string>> change)
    {
        if (RefusedUnlessAdmin("Only administrators can change gateway keys, teams and users."))
        {
            return;
        }

        if (GatewayNotice is not null)
        {
            HttpContext.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            Error = "Not changed: the gateway's model catalog is needed to check this change and cannot be read now.";
            return;
        }

        try
        {
            Done = await change(Services);
        }
        catch (ManagementRequestException exception)
        {
            HttpContext.Response.StatusCode = StatusCodes.Status400BadRequest;
            Error = exception.Message;
        }

        await LoadAsync();
    }

    /// <summary>True, with 403 and <paramref name="refusal"/> on the page, when the signed-in person is not an admin.</summary>
    protected bool RefusedUnlessAdmin(string refusal)
    {
        if (IsAdmin)
        {
            return false;
        }

        HttpContext.Response.StatusCode = StatusCodes.Status403Forbidden;
        Error = refusal;
        return true;
    }

    private const string NotConfigured =
        "The gateway is not composed in this TraceUi's host and TraceUi:Gateway:Url is not set: its live model catalog is unknown here, so keys, teams and users can be looked at but not changed.";

    /// <summary>The notice shown while the gateway holding the catalog cannot be asked.</summary>
    protected static string Unreachable(string reason) =>
        $"The gateway cannot be asked for its live model catalog now ({reason}): keys, teams and users are shown from the database and cannot be changed until it answers.";

    protected static string Path(string section, string? id = null) =>
        id is null ? $"/gateway/{section}" : $"/gateway/{section}/{Uri.EscapeDataString(id)}";
}
