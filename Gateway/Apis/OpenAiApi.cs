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
            var api = app.MapGroup(prefix).RequireAuthorization(GatewayAuthentication.CallerPolicy).RequireCors(GatewayCorsOptions.PolicyName)
                .AddEndpointFilter<OpenAiErrorFilter>().WithTags("OpenAI");
            api.MapPost("/chat/completions", ChatCompletionsAsync);
            api.MapPost("/completions", CompletionsAsync);
            api.MapPost("/embeddings", EmbeddingsAsync);
            api.MapGet("/models", ListModels);
            api.MapGet("/models/{**id}", GetModel);
        }

        var azure = app.MapGroup("/openai/deployments/{deployment}")
            .RequireAuthorization(GatewayAuthentication.CallerPolicy).RequireCors(GatewayCorsOptions.PolicyName)
            .AddEndpointFilter<OpenAiErrorFilter>().WithTags("Azure OpenAI");
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

    /// <summary>
    /// Every model group, then each wildcard <c>model_name</c> as it is written (<c>openai/*</c>), so callers see what
    /// the patterns admit; for a key (or Entra ID caller) with an allow-list, only what it may call, as LiteLLM lists them.
    /// </summary>
    internal static async Task<JsonHttpResult<ModelList>> ListModels(HttpContext context, ModelCatalog catalog, CallerResolver callers)
    {
        var models = catalog.Current;
        var created = models.LoadedAt.ToUnixTimeSeconds();
        var cards = new List<ModelCard>(models.Groups.Count);
        foreach (var group in models.Groups)
        {
            if (await MayCallAsync(context, callers, group.Name))
            {
                cards.Add(Card(group, created));
            }
        }

        foreach (var pattern in models.Patterns)
        {
            if (await MayCallAsync(context, callers, pattern.Pattern))
            {
                cards.Add(new ModelCard(pattern.Pattern, created, OwnerOf(pattern.Provider)));
            }
        }

        return TypedResults.Json(new ModelList(cards), GatewayJsonContext.Api.ModelList);
    }

    /// <summary>A model group by name, or any name a wildcard <c>model_name</c> serves, when the caller may use it.</summary>
    internal static async Task<Results<JsonHttpResult<ModelCard>, OpenAiErrorResult>> GetModel(string id, HttpContext context, ModelCatalog catalog, CallerResolver callers)
    {
        // A catch-all route value keeps %2F as sent; SDKs escape the slash of provider/model names.
        id = Uri.UnescapeDataString(id);
        var models = catalog.Current;
        return models.TryResolve(id, out var group) && await MayCallAsync(context, callers, id)
            ? TypedResults.Json(Card(group, models.LoadedAt.ToUnixTimeSeconds()), GatewayJsonContext.Api.ModelCard)
            : OpenAiErrors.ModelNotFound(id);
    }

    private static async ValueTask<bool> MayCallAsync(HttpContext context, CallerResolver callers, string model) =>
        context.User.HasClaim(GatewayClaims.Role, GatewayClaims.Roles.Admin) || await callers.MayCallAsync(context, model, context.RequestAborted);

    private static ModelCard Card(ModelGroup group, long created) => new(group.Name, created, OwnerOf(group.Deployments[0].ProviderName));

    // The catch-all names no provider of its own.
    private static string OwnerOf(string provider) => provider == Storage.Governance.ModelPattern.Wildcard ? "gateway" : provider;

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
        using var span = Telemetry.GenAiTelemetry.Start(call);
        var governance = context.RequestServices.GetRequiredService<GovernanceGate>();
        var admission = new PendingAdmission(governance.AdmitAsync(call));
        try
        {
            var failure = await router.RouteAsync(call, admission);
            if (admission.Refusal is { } refusal)
            {
                governance.Refused(call, refusal);
                return refusal;
            }

            return failure is null ? TypedResults.Empty : failure;
        }
        finally
        {
            await governance.SettleAsync(call, admission);
        }
    }
}
