using System.Net;
using OpenAI.Chat;

namespace Gateway.Tests.Providers.Bedrock;

/// <summary>Temporary credentials (a session token from STS, SSO or a role) sign with <c>x-amz-security-token</c>, from the environment as LiteLLM reads it.</summary>
public sealed class BedrockSessionCredentialsTests : IAsyncLifetime
{
    private const string SessionToken = "FwoGZXIvYXdzEFAKE//session-token-for-tests";
    private readonly TemporaryDirectory _data = new();
    private FakeBedrockUpstream _bedrock = null!;
    private TestWebHost _gateway = null!;

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _bedrock = await FakeBedrockUpstream.StartAsync("eu-west-3");
        _bedrock.SessionToken = SessionToken;
        _gateway = await GatewayHost.StartWithConfigAsync(_data, """
            model_list:
              - model_name: nova
                litellm_params:
                  model: bedrock/eu.amazon.nova-lite-v1:0
            router_settings:
              num_retries: 0
            """, new Dictionary<string, string?>
        {
            ["AWS_ACCESS_KEY_ID"] = FakeBedrockUpstream.AccessKeyId,
            ["AWS_SECRET_ACCESS_KEY"] = FakeBedrockUpstream.SecretKey,
            ["AWS_SESSION_TOKEN"] = SessionToken,
            ["AWS_REGION"] = "eu-west-3",
            ["AWS_BEDROCK_RUNTIME_ENDPOINT"] = _bedrock.BaseAddress.ToString(),
        });
    }

    [Fact]
    public async Task Environment_credentials_with_a_session_token_sign_for_the_environments_region()
    {
        var result = await GatewayClients.Chat(_gateway, "nova").CompleteChatAsync([new UserChatMessage("Bonjour")], cancellationToken: Cancellation);

        Assert.Equal("Hello from fake Bedrock", result.Value.Content[0].Text);
        var request = Assert.Single(_bedrock.Requests);
        Assert.Equal(SessionToken, request.Header("x-amz-security-token"));
        Assert.Contains("/eu-west-3/bedrock/aws4_request", request.Header("Authorization"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_the_session_token_Bedrock_refuses_and_the_caller_gets_502()
    {
        _bedrock.SessionToken = "a-different-token";

        using var response = await _gateway.Client.SendAsync(GatewayClients.Post("/v1/chat/completions", """{"model":"nova","messages":[{"role":"user","content":"Hi"}]}"""), Cancellation);

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal(1, _bedrock.RejectedSignatures);
        Assert.DoesNotContain(_gateway.Logs.Lines, line => line.Contains(SessionToken, StringComparison.Ordinal));
    }

    public async ValueTask DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _bedrock.DisposeAsync();
        _data.Dispose();
    }
}
