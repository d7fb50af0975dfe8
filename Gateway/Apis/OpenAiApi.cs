using System.Diagnostics;
using Gateway.Authentication;
using Gateway.Governance;
using Gateway.Inbound;
using Gateway.Routing;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Gateway.Apis;

/// <summary>
/// OpenAI's API surface: <c>/v1/…</c>, the same under <c>/openai/v1/…</c>, and without <c>/v1</c> as LiteLLM accepts;
/// and Azure OpenAI's <c>/openai/deployments/{deployment}/…</c>, where the deployment names the model group and
/// <c>api-version</c> is accepted and ignored. Model calls read the body once and hand it to the <see cref="ModelRouter"/>.
/// </summary>
public static class OpenAiApi
{
    private static readonly string[] Prefixes = ["/v1", "/openai/v1", "/"];

    public static IEndpointRouteBuilder MapOpenAiApi(this IEndpointRouteBuilder app)
    {
        foreach (var prefix in Prefixes)
        {
            var api = app.MapGroup(prefix).RequireAuthorization(GatewayAuthentication.CallerPolicy).AddEndpointFilter<OpenAiErrorFilter>().WithTags("OpenAI");
            api.MapPost("/chat/completions", ChatCompletionsAsync);
            api.MapPost("/completions", CompletionsAsync);
            api.MapPost("/embeddings", EmbeddingsAsync);
            api.MapGet("/models", ListModels);
            api.MapGet("/models/{**id}", GetModel);
        }

        var azure = app.MapGroup("/openai/deployments/{deployment}")
            .RequireAuthorization(GatewayAuthentication.CallerPolicy).AddEndpointFilter<OpenAiErrorFilter>().WithTags("Azure OpenAI");
        azure.MapPost("/chat/completions", AzureChatCompletionsAsync);
        azure.MapPost("/completions", AzureCompletionsAsync);
        azure.MapPost("/embeddings", AzureEmbeddingsAsync);
        return app;
    }

    internal static Task<Results<EmptyHttpResult, OpenAiErrorResult>> ChatCompletionsAsync(HttpContext context, ModelRouter router, IOptions<GatewayLimits> limits) =>
        CallModelAsync(context, OpenAiOperation.ChatCompletions, router, limits.Value);

    internal static Task<Results<EmptyHttpResult, OpenAiErrorResult>> CompletionsAsync(HttpContext context, ModelRouter router, IOptions<GatewayLimits> limits) =>
        CallModelAsync(context, OpenAiOperation.Completions, router, limits.Value);

    internal static Task<Results<EmptyHttpResult, OpenAiErrorResult>> EmbeddingsAsync(HttpContext context, ModelRouter router, IOptions<GatewayLimits> limits) =>
        CallModelAsync(context, OpenAiOperation.Embeddings, router, limits.Value);

    internal static Task<Results<EmptyHttpResult, OpenAiErrorResult>> AzureChatCompletionsAsync(string deployment, HttpContext context, ModelRouter router, IOptions<GatewayLimits> limits) =>
        CallModelAsync(context, OpenAiOperation.ChatCompletions, router, limits.Value, deployment);

    internal static Task<Results<EmptyHttpResult, OpenAiErrorResult>> AzureCompletionsAsync(string deployment, HttpContext context, ModelRouter router, IOptions<GatewayLimits> limits) =>
        CallModelAsync(context, OpenAiOperation.Completions, router, limits.Value, deployment);

    internal static Task<Results<EmptyHttpResult, OpenAiErrorResult>> AzureEmbeddingsAsync(string deployment, HttpContext context, ModelRouter router, IOptions<GatewayLimits> limits) =>
        CallModelAsync(context, OpenAiOperation.Embeddings, router, limits.Value, deployment);

    /// <summary>The model groups, or for a key (or Entra ID caller) with an allow-list, the ones it may call, as LiteLLM lists them.</summary>
    internal static async Task<JsonHttpResult<ModelList>> ListModels(HttpContext context, ModelCatalog catalog, CallerResolver callers)
    {
        var cards = new List<ModelCard>(catalog.Groups.Count);
        var admin = context.User.HasClaim(GatewayClaims.Role, GatewayClaims.Roles.Admin);
        foreach (var group in catalog.Groups)
        {
            if (admin || await callers.MayCallAsync(context, group.Name, context.RequestAborted))
            {
                cards.Add(Card(group, catalog));
            }
        }

        return TypedResults.Json(new ModelList(cards), GatewayJsonContext.Api.ModelList);
    }

    internal static Results<JsonHttpResult<ModelCard>, OpenAiErrorResult> GetModel(string id, ModelCatalog catalog) =>
        catalog.GroupsByName.TryGetValue(id, out var group)
            ? TypedResults.Json(Card(group, catalog), GatewayJsonContext.Api.ModelCard)
            : OpenAiErrors.ModelNotFound(id);

    private static ModelCard Card(ModelGroup group, ModelCatalog catalog) =>
        new(group.Name, catalog.LoadedAt.ToUnixTimeSeconds(), group.Deployments[0].ProviderName);

    private static async Task<Results<EmptyHttpResult, OpenAiErrorResult>> CallModelAsync(HttpContext context, OpenAiOperation operation, ModelRouter router, GatewayLimits limits, string? pathModel = null)
    {
        var startedAt = Stopwatch.GetTimestamp();
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeFeature)
        {
            // The gateway enforces its own limit with an OpenAI-shaped 413.
            sizeFeature.MaxRequestBodySize = null;
        }

        var body = await RequestBody.ReadAsync(context.Request, limits.MaxRequestBodyBytes, context.RequestAborted);
        if (body is null)
        {
            return OpenAiErrors.TooLarge(limits.MaxRequestBodyBytes);
        }

        if (!InboundFields.TryParse(body.Span, pathModel, out var fields, out var error, out var errorParam))
        {
            body.Dispose();
            return OpenAiErrors.BadBody(error!, errorParam);
        }

        using var call = new GatewayCall(context, operation, body, fields, startedAt);
        var governance = context.RequestServices.GetRequiredService<GovernanceGate>();
        if (await governance.AdmitAsync(call) is { } refusal)
        {
            governance.Refused(call, refusal);
            return refusal;
        }

        try
        {
            return await router.RouteAsync(call) is { } failure ? failure : TypedResults.Empty;
        }
        finally
        {
            governance.Settle(call);
        }
    }
}
