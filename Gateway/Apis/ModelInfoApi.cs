using System.Text.Json.Nodes;
using Gateway.Authentication;
using Gateway.Governance;
using Gateway.Governance.Management;
using Gateway.Routing;

namespace Gateway.Apis;

/// <summary>
/// LiteLLM's <c>/model/info</c> (also <c>/v1/model/info</c>): each deployment's model group, its <c>litellm_params</c>
/// without credentials and its <c>model_info</c>. A key sees only the models it may call.
/// </summary>
public static class ModelInfoApi
{
    public static IEndpointRouteBuilder MapModelInfoApi(this IEndpointRouteBuilder app)
    {
        foreach (var path in new[] { "/model/info", "/v1/model/info" })
        {
            app.MapGet(path, InfoAsync)
                .RequireAuthorization(GatewayAuthentication.CallerPolicy)
                .AddEndpointFilter<ManagementErrorFilter>()
                .WithTags("Model management");
        }

        return app;
    }

    internal static async Task<IResult> InfoAsync(HttpContext context, ModelCatalog catalog, CallerResolver callers, string? litellm_model_id = null)
    {
        var data = new JsonArray();
        foreach (var group in catalog.Groups)
        {
            if (!ManagementCaller.IsAdmin(context) && !await callers.MayCallAsync(context, group.Name, context.RequestAborted))
            {
                continue;
            }

            foreach (var deployment in group.Deployments.Where(d => litellm_model_id is null || d.Id == litellm_model_id))
            {
                data.Add(Describe(deployment));
            }
        }

        return ManagementJson.Result(new JsonObject { ["data"] = data });
    }

    private static JsonObject Describe(Deployment deployment)
    {
        var parameters = deployment.Config.Params;
        var info = deployment.Config.Info;
        return new JsonObject
        {
            ["model_name"] = deployment.ModelName,
            ["litellm_params"] = new JsonObject
            {
                ["model"] = parameters.Model,
                ["api_base"] = deployment.BaseUrl?.AbsoluteUri,
                ["api_version"] = deployment.AzureApiVersion,
                ["rpm"] = parameters.Rpm,
                ["tpm"] = parameters.Tpm,
                ["timeout"] = deployment.Timeout.TotalSeconds,
                ["stream_timeout"] = deployment.StreamTimeout.TotalSeconds,
                ["max_retries"] = parameters.MaxRetries,
                ["weight"] = parameters.Weight,
            },
            ["model_info"] = new JsonObject
            {
                ["id"] = deployment.Id,
                ["mode"] = info.Mode,
                ["max_tokens"] = info.MaxTokens,
                ["max_input_tokens"] = info.MaxInputTokens,
                ["max_output_tokens"] = info.MaxOutputTokens,
                ["input_cost_per_token"] = info.InputCostPerToken is { } input ? (double)input : null,
                ["output_cost_per_token"] = info.OutputCostPerToken is { } output ? (double)output : null,
                ["litellm_provider"] = deployment.ProviderName,
                ["db_model"] = false,
            },
        };
    }
}
