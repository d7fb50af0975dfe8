using System.Buffers;
using System.Net.Http.Headers;
using Amazon.Runtime;
using Gateway.Inbound;
using Gateway.Providers.Bedrock.Aws;
using Gateway.Routing;

namespace Gateway.Providers.Bedrock;

/// <summary>
/// One deployment's HTTP exchange with Bedrock Runtime: builds the request, authenticates it (a Bedrock API key as
/// a bearer token, or a SigV4 signature over the body with the current AWS credentials), sends it with the
/// deployment's timeout between bytes, and turns an error answer into the attempt's outcome — writing it to the
/// caller in OpenAI's shape when it is about the caller's request.
/// </summary>
internal sealed partial class BedrockRuntimeClient(BedrockTarget target, BedrockProvider provider)
{
    public const string Service = "bedrock";
    private const int MaxErrorBytes = 64 * 1024;

    private readonly SigV4Signer _signer = new(target.Region, Service);

    public BedrockTarget Target => target;

    /// <summary>
    /// Sends <paramref name="body"/> to <paramref name="uri"/>. Returns the response when it is a success (the
    /// caller disposes it), otherwise null with <paramref name="outcome"/> saying how the attempt ended.
    /// </summary>
    public async ValueTask<(HttpResponseMessage? Response, AttemptOutcome Outcome)> SendAsync(
        GatewayCall call, Deployment deployment, Uri uri, ReadOnlyMemory<byte> body, string accept, UpstreamTimer timer)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = new ReadOnlyMemoryContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Accept.ParseAdd(accept);
        if (target.BearerToken is { } token)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token.Reveal());
        }
        else
        {
            ImmutableCredentials credentials;
            try
            {
                credentials = await target.Credentials!.GetAsync();
            }
            catch (AmazonClientException exception)
            {
                LogNoCredentials(provider.Logger, deployment.Id, target.Credentials!.Description, exception.Message);
                return (null, AttemptOutcome.Failed(FailureKind.Rejected));
            }

            _signer.Sign(request, body.Span, credentials, provider.Clock.GetUtcNow());
        }

        HttpResponseMessage response;
        try
        {
            timer.Restart();
            response = await provider.Http.Invoker.SendAsync(request, timer.Token);
        }
        catch (Exception exception) when (exception is OperationCanceledException or HttpRequestException or IOException)
        {
            return (null, timer.Outcome(call, FailureKind.Connection));
        }

        if (response.IsSuccessStatusCode)
        {
            return (response, AttemptOutcome.Served);
        }

        using (response)
        {
            var status = (int)response.StatusCode;
            byte[]? bytes = null;
            int length;
            try
            {
                (bytes, length) = await ReadAsync(response, MaxErrorBytes, timer);
            }
            catch (Exception exception) when (exception is OperationCanceledException or HttpRequestException or IOException)
            {
                return (null, timer.Outcome(call, FailureKind.Connection));
            }

            try
            {
                var errorType = response.Headers.TryGetValues("x-amzn-ErrorType", out var types) ? types.FirstOrDefault() : null;
                var error = BedrockError.Read(status, errorType, bytes.AsSpan(0, length), RetryAfterHeader.Read(response, provider.Clock.GetUtcNow()));
                return (null, await FailOrRefuseAsync(call, deployment, error));
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(bytes);
            }
        }
    }

    /// <summary>The attempt's outcome for a Bedrock error; a refusal of the caller's request is written to the caller first.</summary>
    public static async ValueTask<AttemptOutcome> FailOrRefuseAsync(GatewayCall call, Deployment deployment, BedrockError error)
    {
        var failure = error.Failure;
        if (failure is not (FailureKind.None or FailureKind.ContextWindowExceeded) || (failure == FailureKind.ContextWindowExceeded && call.HasContextWindowFallbacks))
        {
            return AttemptOutcome.Failed(failure, error.ReportedStatus, error.RetryAfter);
        }

        call.EndUpstreamWait();
        call.WriteGatewayHeaders(deployment);
        var code = error.IsContextWindowExceeded ? "context_length_exceeded" : error.Type;
        await OpenAiErrors.InvalidRequest(error.Status is >= 400 and < 500 ? error.Status : StatusCodes.Status400BadRequest, $"Bedrock {error.Type}: {error.Message}", code: code)
            .ExecuteAsync(call.Context);
        return AttemptOutcome.PassedThrough;
    }

    /// <summary>Reads a whole body of at most <paramref name="limit"/> bytes into a pooled buffer (the caller returns it).</summary>
    public static async ValueTask<(byte[] Buffer, int Length)> ReadAsync(HttpResponseMessage response, int limit, UpstreamTimer timer)
    {
        var (buffer, length, complete) = await PooledResponseBody.ReadAsync(response, limit, timer.Token, timer.Restart);
        if (!complete)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw new IOException($"the answer is larger than {limit} bytes");
        }

        return (buffer, length);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Bedrock deployment {Deployment} has no usable AWS credentials from {Source}: {Reason}")]
    private static partial void LogNoCredentials(ILogger logger, string deployment, string source, string reason);
}
