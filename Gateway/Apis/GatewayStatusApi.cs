using Gateway.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;
using Storage.Governance;

namespace Gateway.Apis;

/// <summary>
/// The gateway's live status (model groups, wildcard patterns, deployment health) for admins, so a TraceUi deployed
/// apart from the gateway can check model names and show the models page as the gateway sees them.
/// </summary>
public static class GatewayStatusApi
{
    public static IEndpointRouteBuilder MapGatewayStatusApi(this IEndpointRouteBuilder app)
    {
        app.MapGet(GatewayStatusJson.Route, ReadAsync)
            .RequireAuthorization(GatewayAuthentication.CallerPolicy, GatewayAuthentication.AdminPolicy)
            .WithTags("Administration");
        return app;
    }

    private static async Task<JsonHttpResult<GatewayStatus>> ReadAsync(IGatewayStatus status, CancellationToken cancellationToken) =>
        TypedResults.Json(await status.ReadAsync(cancellationToken), GatewayStatusJson.Default.GatewayStatus);
}
