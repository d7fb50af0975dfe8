using System.Diagnostics;
using System.Text.Json;
using Gateway.Authentication;
using Gateway.Governance;
using Gateway.Inbound;
using Gateway.Providers.Anthropic;
using Gateway.Routing;
using Gateway.Translation;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Gateway.Apis;

/// <summary>
/// Anthropic's Messages API, <c>POST /v1/messages</c> and <c>/v1/messages/count_tokens</c> (also under
/// <c>/anthropic</c>), for Anthropic SDKs and tools such as Claude Code: every error in Anthropic's shape. The model
/// names a model group like on the OpenAI routes; <c>anthropic/</c> deployments get the caller's bytes with only the
/// model and credentials changed, others get the request translated to OpenAI's API and answer through
/// <see cref="OpenAiToAnthropicResponseStream"/>.
/// </summary>
public static class AnthropicApi
{
    private static readonly string[] Prefixes = ["/v1/messages", "/anthropic/v1/messages"];

    public static IEndpointRouteBuilder MapAnthropicApi(this IEndpointRouteBuilder app)
    {
        foreach (var prefix in Prefixes)
        {
            var api = app.MapGroup(prefix).RequireAuthorization(GatewayAuthentication.CallerPolicy).RequireCors(GatewayCorsOptions.PolicyName)
                .AddEndpointFilter<OpenAiErrorFilter>().WithMetadata(AnthropicErrorShape.Instance).WithTags("Anthropic");
            api.MapPost("", MessagesAsync);
            api.MapPost("/count_tokens", CountTokensAsync);
        }

        return app;
    }

    internal static Task<Results<EmptyHttpResult, OpenAiErrorResult>> MessagesAsync(HttpContext context, ModelRouter router, ModelCatalog catalog, IOptions<GatewayLimits> limits) =>
        CallAsync(context, router, catalog, limits.Value, countTokens: false);

    internal static Task<Results<EmptyHttpResult, OpenAiErrorResult>> CountTokensAsync(HttpContext context, ModelRouter router, ModelCatalog catalog, IOptions<GatewayLimits> limits) =>
        CallAsync(context, router, catalog, limits.Value, countTokens: true);

    private static async Task<Results<EmptyHttpResult, OpenAiErrorResult>> CallAsync(HttpContext context, ModelRouter router, ModelCatalog catalog, GatewayLimits limits, bool countTokens)
    {
        var startedAt = Stopwatch.GetTimestamp();
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeFeature)
        {
            sizeFeature.MaxRequestBodySize = null;
        }

        // Disposing a body twice is harmless: the call disposes the one it routes, this the caller's.
        using var body = await RequestBody.ReadAsync(context.Request, limits.MaxRequestBodyBytes, context.RequestAborted);
        if (body is null)
        {
            return OpenAiErrors.TooLarge(limits.MaxRequestBodyBytes);
        }

        if (!InboundFields.TryParse(body.Span, null, out var fields, out var error, out var errorParam))
        {
            return OpenAiErrors.BadBody(error!, errorParam);
        }

        if (Validate(body.Memory, countTokens, out var user) is { } invalid)
        {
            return invalid;
        }

        fields = fields with { User = user };
        var chain = Chain(catalog, fields.Model);
        var translated = chain.Any(d => d.Provider is not AnthropicProvider);
        if (translated && countTokens)
        {
            return OpenAiErrors.BadBody($"Token counting is available for models served by Anthropic; model '{fields.Model}' is also served by other providers.", "model");
        }

        RequestBody? openAiBody = null;
        var callFields = fields;
        if (translated)
        {
            try
            {
                var maxCompletionTokens = chain.Where(d => d.Provider is not AnthropicProvider).All(d => d.ProviderName is "openai" or "azure");
                openAiBody = RequestBody.Copy(AnthropicToOpenAiRequest.Translate(body.Memory, maxCompletionTokens));
            }
            catch (TranslationException exception)
            {
                return OpenAiErrors.BadBody(exception.Message, exception.Param);
            }

            InboundFields.TryParse(openAiBody.Span, null, out callFields, out _, out _);
            callFields = callFields with { User = user };
        }

        var response = context.Response;
        var callerBody = response.Body;
        context.Features.Set(new AnthropicInboundCall(body, fields, callerBody, countTokens));
        using var translation = translated ? new OpenAiToAnthropicResponseStream(response, callerBody) : null;
        if (translation is not null)
        {
            response.Body = translation;
        }

        using var call = new GatewayCall(context, OpenAiOperation.ChatCompletions, openAiBody ?? body, callFields, startedAt);
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

            if (failure is null && translation is not null)
            {
                await translation.CompleteAsync(context.RequestAborted);
            }

            return failure is null ? TypedResults.Empty : failure;
        }
        finally
        {
            await governance.SettleAsync(call, admission);
            response.Body = callerBody;
            context.Features.Set<AnthropicInboundCall>(null);
        }
    }

    /// <summary>What Anthropic itself would refuse before routing: no messages, no <c>max_tokens</c> on a message request.</summary>
    private static OpenAiErrorResult? Validate(ReadOnlyMemory<byte> json, bool countTokens, out string? user)
    {
        user = null;
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        if (!root.TryGetProperty("messages", out var messages) || messages.ValueKind != JsonValueKind.Array)
        {
            return OpenAiErrors.BadBody("messages: Field required", "messages");
        }

        if (!countTokens && !(root.TryGetProperty("max_tokens", out var maxTokens) && maxTokens.ValueKind == JsonValueKind.Number))
        {
            return OpenAiErrors.BadBody("max_tokens: Field required", "max_tokens");
        }

        if (root.TryGetProperty("metadata", out var metadata) && metadata.ValueKind == JsonValueKind.Object
            && metadata.TryGetProperty("user_id", out var userId) && userId.ValueKind == JsonValueKind.String)
        {
            user = userId.GetString();
        }

        return null;
    }

    /// <summary>
    /// The callable deployments a call to <paramref name="model"/> may reach: its group's (exact or wildcard), its
    /// fallbacks' and its context-window fallbacks', in the catalog as it is now.
    /// </summary>
    private static List<Deployment> Chain(ModelCatalog catalog, string model)
    {
        var models = catalog.Current;
        if (!models.TryResolve(model, out var group))
        {
            return [];
        }

        return new[] { group.Name }.Concat(group.Fallbacks).Concat(group.ContextWindowFallbacks)
            .Select(name => models.TryResolve(name, out var member) ? member : null)
            .OfType<ModelGroup>()
            .SelectMany(g => g.Deployments)
            .Where(d => d.Provider is not null && d.UnusableReason is null)
            .ToList();
    }
}
