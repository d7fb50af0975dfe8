using System.Buffers;
using System.Net.Http.Headers;
using Gateway.Configuration;
using Gateway.Inbound;
using Gateway.Routing;

namespace Gateway.Providers.Anthropic;

/// <summary>
/// One HTTP exchange with Anthropic's Messages API for one attempt: sends the request, waits for the answer's
/// headers within the deployment's timeout, and reads the body with the same timeout between reads, so a hung
/// upstream is abandoned. A failure before the caller has seen anything is an <see cref="AttemptOutcome"/> the
/// router can act on.
/// </summary>
internal sealed class AnthropicExchange(GatewayCall call, Deployment deployment, TimeProvider clock) : IDisposable
{
    /// <summary>The API version translated calls use, as LiteLLM's: later versions refuse <c>temperature</c> and <c>top_p</c>, which OpenAI callers send.</summary>
    public const string DefaultVersion = "2023-06-01";

    /// <summary><c>litellm_params</c> key that overrides <see cref="DefaultVersion"/> for translated calls.</summary>
    public const string VersionSetting = "anthropic_version";

    // Non-streamed answers are read whole before they are judged.
    private const int MaxAnswerBytes = 64 * 1024 * 1024;
    private const int MaxErrorBytes = 1024 * 1024;

    private readonly CancellationTokenSource _timeout = CancellationTokenSource.CreateLinkedTokenSource(call.Aborted);
    private readonly TimeSpan _idle = call.Fields.Stream ? deployment.StreamTimeout : deployment.Timeout;
    private HttpResponseMessage? _response;
    private Stream? _body;

    public HttpResponseMessage Response => _response!;

    /// <summary>Sends <paramref name="body"/>; null when the answer's headers arrived, else why the attempt failed.</summary>
    public async ValueTask<AttemptOutcome?> SendAsync(HttpMessageInvoker invoker, byte[] body, int length, bool countTokens, string? version, string? betas)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, MessagesUri(deployment.BaseUrl!, countTokens))
        {
            Content = new ByteArrayContent(body, 0, length),
            Version = System.Net.HttpVersion.Version11,
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.TryAddWithoutValidation("anthropic-version", string.IsNullOrWhiteSpace(version) ? DefaultVersion : version);
        AnthropicAuth.Apply(request, deployment.Config.Params, deployment.ApiKey, betas);
        call.BeginUpstreamWait();
        try
        {
            _timeout.CancelAfter(_idle);
            _response = await invoker.SendAsync(request, _timeout.Token);
            return null;
        }
        catch (Exception exception) when (exception is OperationCanceledException or HttpRequestException or IOException)
        {
            return Failure(exception);
        }
        finally
        {
            call.EndUpstreamWait();
        }
    }

    /// <summary>
    /// <c>{api_base}/v1/messages</c> as LiteLLM builds it: <c>/v1/messages</c> is appended unless <c>api_base</c> ends with it.
    /// </summary>
    public static Uri MessagesUri(Uri baseUrl, bool countTokens)
    {
        var text = baseUrl.AbsoluteUri.TrimEnd('/');
        if (!text.EndsWith("/v1/messages", StringComparison.Ordinal))
        {
            text += "/v1/messages";
        }

        return new Uri(countTokens ? text + "/count_tokens" : text);
    }

    /// <summary>What a failed send or read means: the caller left, the deployment's timeout passed, or the connection broke.</summary>
    public AttemptOutcome Failure(Exception exception) =>
        call.Aborted.IsCancellationRequested ? AttemptOutcome.Abandoned
        : exception is OperationCanceledException ? AttemptOutcome.Failed(FailureKind.Timeout)
        : AttemptOutcome.Failed(FailureKind.Connection);

    /// <summary>Reads the next bytes of the answer within the deployment's idle timeout; 0 at its end.</summary>
    public async ValueTask<int> ReadAsync(Memory<byte> buffer)
    {
        _body ??= await _response!.Content.ReadAsStreamAsync(_timeout.Token);
        call.BeginUpstreamWait();
        try
        {
            _timeout.CancelAfter(_idle);
            return await _body.ReadAsync(buffer, _timeout.Token);
        }
        finally
        {
            call.EndUpstreamWait();
        }
    }

    /// <summary>Reads the whole answer, or null when it is larger than the gateway checks (then it is malformed for an API that promises JSON).</summary>
    public async ValueTask<byte[]?> ReadAllAsync(int limit = MaxAnswerBytes)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (length >= limit)
                    {
                        return null;
                    }

                    var larger = ArrayPool<byte>.Shared.Rent(Math.Min(limit, buffer.Length * 2));
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }

                var read = await ReadAsync(buffer.AsMemory(length));
                if (read == 0)
                {
                    return buffer.AsSpan(0, length).ToArray();
                }

                length += read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Judges an error status: 429, 5xx (529, overloaded, included), 408 and 401/403/404 go back to the router;
    /// a 400 about the prompt's length goes to the context-window fallbacks when the group has some; null means
    /// the upstream refused the request itself and its answer (in <paramref name="errorBody"/>) is the caller's.
    /// </summary>
    public async ValueTask<(AttemptOutcome? Failure, byte[] ErrorBody)> JudgeErrorAsync()
    {
        var status = (int)_response!.StatusCode;
        var failure = AttemptOutcome.FailureFor(status);
        if (failure != FailureKind.None)
        {
            return (AttemptOutcome.Failed(failure, status, RetryAfterHeader.Read(_response, clock.GetUtcNow())), []);
        }

        byte[] body;
        try
        {
            body = await ReadAllAsync(MaxErrorBytes) ?? [];
        }
        catch (Exception exception) when (exception is OperationCanceledException or HttpRequestException or IOException)
        {
            return (Failure(exception), []);
        }

        if (status == 400 && call.HasContextWindowFallbacks && IsContextWindowError(body))
        {
            return (AttemptOutcome.Failed(FailureKind.ContextWindowExceeded, status), []);
        }

        return (null, body);
    }

    private static bool IsContextWindowError(ReadOnlySpan<byte> body) =>
        body.IndexOf("prompt is too long"u8) >= 0 || body.IndexOf("context window"u8) >= 0 || body.IndexOf("context_length_exceeded"u8) >= 0;

    public void Dispose()
    {
        _body?.Dispose();
        _response?.Dispose();
        _timeout.Dispose();
    }
}
