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
    public override CredentialStatus Credential => new($"Entra ID access token ({credential})", token.ExpiresOn, Refreshable: true);

    public override async ValueTask<CredentialRefresh> RefreshCredentialAsync(Deployment deployment, CancellationToken cancellationToken)
    {
        try
        {
            var expiresOn = await token.RefreshAsync(cancellationToken);
            LogRefreshed(logger, deployment.Id, credential, expiresOn);
            return CredentialRefresh.Refreshed(Credential);
        }
        catch (Exception exception) when (IsIdentityFailure(exception))
        {
            var reason = Reason(exception);
            LogRefreshRefused(logger, deployment.Id, credential, reason);
            return CredentialRefresh.Refused($"Entra ID issued no new token to {credential}; the token held before is kept. {reason}");
        }
    }

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
        catch (Exception exception) when (IsIdentityFailure(exception))
        {
            LogNoToken(logger, deployment.Id, credential, Reason(exception));
            return AttemptOutcome.Failed(FailureKind.Rejected);
        }
        finally
        {
            call.EndUpstreamWait();
        }

        return await openAi.SendAsync(call, deployment, (HeaderNames.Authorization, "Bearer " + accessToken));
    }

    private static bool IsIdentityFailure(Exception exception) =>
        exception is AuthenticationFailedException or CredentialUnavailableException or RequestFailedException;

    // Azure.Identity's and MSAL's messages name the credential and Entra's error, never a secret or token.
    private static string Reason(Exception exception) => $"{exception.Message.Trim()} {exception.InnerException?.Message}".Trim();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Deployment {Deployment} got no Entra ID token from {Credential}: {Reason}")]
    private static partial void LogNoToken(ILogger logger, string deployment, string credential, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Entra ID token of {Credential} refreshed on demand through deployment {Deployment}; it expires {ExpiresOn}")]
    private static partial void LogRefreshed(ILogger logger, string deployment, string credential, DateTimeOffset expiresOn);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Deployment {Deployment}: Entra ID refused a token refresh for {Credential}: {Reason}")]
    private static partial void LogRefreshRefused(ILogger logger, string deployment, string credential, string reason);
}
