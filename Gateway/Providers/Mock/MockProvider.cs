using System.Text.Json;
using Gateway.Apis;
using Gateway.Configuration;
using Gateway.Inbound;
using Gateway.Routing;

namespace Gateway.Providers.Mock;

/// <summary>
/// <c>mock/…</c> deployments answer in-process with deterministic text (see <see cref="MockBehaviour"/>), streaming
/// included, so the gateway can be tried with no provider keys; injected errors fail like an upstream would.
/// </summary>
internal sealed class MockProvider(TimeProvider clock) : ModelProvider
{
    public const string Prefix = "mock";

    public ProviderBinding Bind(LiteLlmParams parameters) =>
        MockBehaviour.From(parameters).Error is { } error ? ProviderBinding.Invalid(error) : new ProviderBinding(this, null, null);

    public override async ValueTask<AttemptOutcome> SendAsync(GatewayCall call, Deployment deployment)
    {
        var behaviour = MockBehaviour.From(deployment.Config.Params).Behaviour!;
        var response = call.Context.Response;
        try
        {
            call.BeginUpstreamWait();
            var timeout = call.Fields.Stream ? deployment.StreamTimeout : deployment.Timeout;
            if (behaviour.Latency > timeout)
            {
                // A mock slower than its deployment's timeout behaves like a hung upstream: abandoned at the timeout.
                await Task.Delay(timeout, clock, call.Aborted);
                call.EndUpstreamWait();
                return AttemptOutcome.Failed(FailureKind.Timeout);
            }

            if (behaviour.Latency > TimeSpan.Zero)
            {
                await Task.Delay(behaviour.Latency, clock, call.Aborted);
            }

            call.EndUpstreamWait();
            if (behaviour.ErrorStatus is { } status)
            {
                var failure = AttemptOutcome.FailureFor(status);
                if (failure != FailureKind.None)
                {
                    return AttemptOutcome.Failed(failure, status, behaviour.RetryAfter);
                }

                call.WriteGatewayHeaders(deployment);
                await OpenAiErrors.InvalidRequest(status, "The mock deployment refused this request (mock_error_status).", code: "mock_error").ExecuteAsync(call.Context);
                return AttemptOutcome.PassedThrough;
            }

            using var request = JsonDocument.Parse(call.Body.Memory);
            var reply = MockReply.For(call.Operation, request.RootElement, behaviour, call.Fields.MaxTokens);
            var created = clock.GetUtcNow().ToUnixTimeSeconds();
            call.WriteGatewayHeaders(deployment);
            call.FirstByteAt = System.Diagnostics.Stopwatch.GetTimestamp();
            if (call.Fields.Stream && call.Operation != OpenAiOperation.Embeddings)
            {
                var includeUsage = request.RootElement.TryGetProperty("stream_options", out var options)
                    && options.ValueKind == JsonValueKind.Object
                    && options.TryGetProperty("include_usage", out var include) && include.ValueKind == JsonValueKind.True;
                await MockResponseWriter.WriteStreamAsync(response, call.Operation, call.Fields.Model, includeUsage, reply, created,
                    cancellationToken => behaviour.ChunkDelay > TimeSpan.Zero ? Task.Delay(behaviour.ChunkDelay, clock, cancellationToken) : Task.CompletedTask,
                    call.Aborted);
            }
            else
            {
                await MockResponseWriter.WriteJsonAsync(response, call.Operation, call.Fields.Model, request.RootElement, reply, created, call.Aborted);
            }

            call.Usage = new(reply.PromptTokens, reply.CompletionTokens, reply.PromptTokens + reply.CompletionTokens);
            return AttemptOutcome.Served;
        }
        catch (Exception exception) when (exception is OperationCanceledException or IOException)
        {
            return AttemptOutcome.Abandoned;
        }
    }
}
