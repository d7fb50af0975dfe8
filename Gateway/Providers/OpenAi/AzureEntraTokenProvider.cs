using Azure;
using Azure.Identity;
using Gateway.Inbound;
using Gateway.Routing;
using Microsoft.Net.Http.Headers;

namespace Gateway.Providers.OpenAi;

/// <summary>
/// Azure OpenAI with an Entra ID token instead of an API key: each call carries <c>Authorization: Bearer</c> with
/// the credential's current token and otherwise goes through <see cref="OpenAiCompatibleProvider"/> as bytes. A token
/// that cannot be had fails the attempt like a refused key, so the router moves on.
/// </summary>
internal sealed partial class AzureEntraTokenProvider(OpenAiCompatibleProvider openAi, AzureAccessToken token, string credential, ILogger<AzureEntraTokenProvider> logger)
    : ModelProvider
{
    public override Storage.Governance.CredentialStatus Credential => new($"Entra ID access token ({credential})", token.ExpiresOn);

    public override async ValueTask<AttemptOutcome> SendAsync(GatewayCall call, Deployment deployment)
    {
        string accessToken;
        call.BeginUpstreamWait();
        try
        {
            accessToken = await token.GetAsync(call.Aborted);
        }
        catch (OperationCanceledException) when (call.Aborted.IsCancellationRequested)
        {
            return AttemptOutcome.Abandoned;
        }
        catch (Exception exception) when (exception is AuthenticationFailedException or CredentialUnavailableException or RequestFailedException)
        {
            // Azure.Identity's and MSAL's messages name the credential and Entra's error, never a secret or token.
            LogNoToken(logger, deployment.Id, credential, $"{exception.Message.Trim()} {exception.InnerException?.Message}".Trim());
            return AttemptOutcome.Failed(FailureKind.Rejected);
        }
        finally
        {
            call.EndUpstreamWait();
        }

        return await openAi.SendAsync(call, deployment, (HeaderNames.Authorization, "Bearer " + accessToken));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Deployment {Deployment} got no Entra ID token from {Credential}: {Reason}")]
    private static partial void LogNoToken(ILogger logger, string deployment, string credential, string reason);
}
