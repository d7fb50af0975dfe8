using Gateway.Inbound;
using Gateway.Routing;

namespace Gateway.Providers.Bedrock;

/// <summary>One <c>bedrock/</c> deployment: chat completions through Converse; embeddings through InvokeModel for Titan and Cohere embedding models.</summary>
internal sealed class BedrockDeployment(BedrockRuntimeClient client, BedrockProvider provider) : ModelProvider
{
    public BedrockTarget Target => client.Target;

    public override async ValueTask<AttemptOutcome> SendAsync(GatewayCall call, Deployment deployment)
    {
        var embedding = client.Target.Family.IsEmbedding();
        try
        {
            return (call.Operation, embedding) switch
            {
                (OpenAiOperation.ChatCompletions, false) => await ConverseCall.SendAsync(call, deployment, client, deployment.DropParams, provider.Clock),
                (OpenAiOperation.Embeddings, true) => await BedrockEmbeddingCall.SendAsync(call, deployment, client),
                _ => await RefuseAsync(call, deployment, embedding),
            };
        }
        catch (Exception exception) when (exception is OperationCanceledException or IOException && call.Aborted.IsCancellationRequested)
        {
            return AttemptOutcome.Abandoned;
        }
    }

    private async ValueTask<AttemptOutcome> RefuseAsync(GatewayCall call, Deployment deployment, bool embedding)
    {
        var serves = embedding ? "/v1/embeddings" : "/v1/chat/completions";
        call.WriteGatewayHeaders(deployment);
        await OpenAiErrors.InvalidRequest(StatusCodes.Status400BadRequest,
                $"Model '{call.Fields.Model}' is the Bedrock model {client.Target.ModelId}, served at {serves} only.", "model", "unsupported_operation")
            .ExecuteAsync(call.Context);
        return AttemptOutcome.PassedThrough;
    }
}
