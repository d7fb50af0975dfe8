using Gateway.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;
using Storage.Governance;

namespace Gateway.Apis;

/// <summary>
/// The gateway's live status (model groups, wildcard patterns, deployment health) for admins, so a TraceUi deployed
/// apart from the gateway can check model names and show the models page as the gateway sees them; and the manual
/// refresh of a deployment's provider credential that page offers.
/// </summary>
public static class GatewayStatusApi
{
    public static IEndpointRouteBuilder MapGatewayStatusApi(this IEndpointRouteBuilder app)
    {
        app.MapGet(GatewayStatusJson.Route, ReadAsync)
            .RequireAuthorization(GatewayAuthentication.CallerPolicy, GatewayAuthentication.AdminPolicy)
            .WithTags("Administration");
        app.MapPost(GatewayStatusJson.CredentialRefreshRoute, RefreshCredentialAsync)
            .RequireAuthorization(GatewayAuthentication.CallerPolicy, GatewayAuthentication.AdminPolicy)
            .WithTags("Administration");
        return app;
    }

    private static async Task<JsonHttpResult<GatewayStatus>> ReadAsync(IGatewayStatus status, CancellationToken cancellationToken) =>
        TypedResults.Json(await status.ReadAsync(cancellationToken), GatewayStatusJson.Default.GatewayStatus);

    // The query parameter is bound by its name, GatewayStatusJson.DeploymentParameter.
    private static async Task<Results<JsonHttpResult<CredentialStatus>, OpenAiErrorResult>> RefreshCredentialAsync(
        IGatewayStatus status, CancellationToken cancellationToken, string? deployment = null)
    {
        if (string.IsNullOrWhiteSpace(deployment))
        {
            return OpenAiErrors.InvalidRequest(StatusCodes.Status400BadRequest,
                $"Name the deployment whose credential to refresh in the '{GatewayStatusJson.DeploymentParameter}' query parameter.",
                GatewayStatusJson.DeploymentParameter, "missing_deployment");
        }

        var refresh = await status.RefreshCredentialAsync(deployment, cancellationToken);
        return refresh.Outcome switch
        {
            CredentialRefreshOutcome.Refreshed => TypedResults.Json(refresh.Credential!, GatewayStatusJson.Default.CredentialStatus),
            CredentialRefreshOutcome.UnknownDeployment => OpenAiErrors.InvalidRequest(
                StatusCodes.Status404NotFound, refresh.Failure!, GatewayStatusJson.DeploymentParameter, "deployment_not_found"),
            CredentialRefreshOutcome.NotRefreshable => OpenAiErrors.InvalidRequest(
                StatusCodes.Status409Conflict, refresh.Failure!, GatewayStatusJson.DeploymentParameter, "credential_not_refreshable"),
            _ => OpenAiErrors.Upstream(StatusCodes.Status502BadGateway, refresh.Failure!, "credential_refresh_refused"),
        };
    }
}
