using System.Buffers;
using Gateway.Inbound;
using Gateway.Routing;
using Gateway.Usage;
using Microsoft.Net.Http.Headers;
using Yarp.ReverseProxy.Forwarder;

namespace Gateway.Providers.OpenAi;

/// <summary>
/// One forwarding of a call to one deployment. It writes the upstream request, then judges the answer before
/// anything reaches the caller: a stream goes through at once (usage read on the way), a JSON answer is
/// checked and sent whole, an error the router can handle is held back so another attempt may answer.
/// </summary>
internal sealed class ForwardingAttempt(GatewayCall call, Deployment deployment, TimeProvider clock, (string Name, string Value)? authorization)
{
    // Answers are checked before they are sent; larger ones (huge embedding batches) go through unchecked.
    private const int MaxCheckedAnswerBytes = 16 * 1024 * 1024;
    private const int MaxRefusalBytes = 1024 * 1024;
    private const string EventStream = "text/event-stream";

    private AttemptOutcome? _outcome;
    private Stream? _callerBody;
    private SseUsageObserver? _observer;
    private int _bodyLength;

    /// <summary>
    /// Gives the forwarder the body to send as the request's body stream (it copies from there and allows no other
    /// content): see <see cref="UpstreamRequestBody"/>. Returns the fields the deployment refuses, if any, instead.
    /// </summary>
    public IReadOnlyList<string>? SetUpstreamBody()
    {
        var (array, length, refused) = UpstreamRequestBody.For(call, deployment);
        if (refused is not null)
        {
            return refused;
        }

        _bodyLength = length;
        call.Context.Request.Body = new MemoryStream(array, 0, length, writable: false);
        return null;
    }

    public void PrepareRequest(HttpRequestMessage request)
    {
        request.RequestUri = deployment.UpstreamUri(call.Operation);
        request.Content!.Headers.ContentLength = _bodyLength;
        request.Content.Headers.TryAddWithoutValidation(HeaderNames.ContentType, "application/json");
        var accept = call.Context.Request.Headers.Accept;
        if (accept.Count == 1)
        {
            // The usual single value goes as a string, without enumerating the header values.
            request.Headers.TryAddWithoutValidation(HeaderNames.Accept, accept[0]);
        }
        else if (accept.Count > 1)
        {
            request.Headers.TryAddWithoutValidation(HeaderNames.Accept, (IEnumerable<string?>)accept);
        }

        if (authorization is { } header)
        {
            request.Headers.TryAddWithoutValidation(header.Name, header.Value);
        }

        call.BeginUpstreamWait();
    }

    public async ValueTask<bool> OnResponseAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        call.EndUpstreamWait();
        var status = (int)response.StatusCode;
        if (status is >= 200 and < 300)
        {
            call.ResponseStarted();
            if (IsEventStream(RawContentType(response)))
            {
                StartStream(response);
                return true;
            }

            return await SendCheckedAnswerAsync(response, status, cancellationToken);
        }

        var failure = AttemptOutcome.FailureFor(status);
        if (failure != FailureKind.None)
        {
            _outcome = AttemptOutcome.Failed(failure, status, RetryAfterHeader.Read(response, clock.GetUtcNow()));
            call.Context.Response.Clear();
            return false;
        }

        return await PassRefusalThroughAsync(response, status, cancellationToken);
    }

    private void StartStream(HttpResponseMessage response)
    {
        var caller = call.Context.Response;
        CopyContentHeaders(response, caller, withLength: false);
        caller.Headers.CacheControl = "no-cache";
        // Reverse proxies in front of the gateway (nginx ingress) must not buffer the events either.
        caller.Headers["X-Accel-Buffering"] = "no";
        call.WriteGatewayHeaders(deployment);
        _observer = new SseUsageObserver();
        _callerBody = caller.Body;
        caller.Body = new UsageObservingStream(_callerBody, _observer);
        _outcome = AttemptOutcome.Served;
    }

    private async ValueTask<bool> SendCheckedAnswerAsync(HttpResponseMessage response, int status, CancellationToken cancellationToken)
    {
        var caller = call.Context.Response;
        if (response.Content.Headers.ContentLength > MaxCheckedAnswerBytes)
        {
            CopyContentHeaders(response, caller, withLength: true);
            call.WriteGatewayHeaders(deployment);
            _outcome = AttemptOutcome.Served;
            return true;
        }

        var (buffer, length, complete) = await PooledResponseBody.ReadAsync(response, MaxCheckedAnswerBytes, cancellationToken);
        try
        {
            if (!complete)
            {
                // Too large to check: what was read goes first, the forwarder copies the rest.
                CopyContentHeaders(response, caller, withLength: true);
                call.WriteGatewayHeaders(deployment);
                _outcome = AttemptOutcome.Served;
                await caller.Body.WriteAsync(buffer.AsMemory(0, length), cancellationToken);
                return true;
            }

            if (!UsageJson.TryRead(buffer.AsSpan(0, length), out var usage))
            {
                _outcome = AttemptOutcome.Failed(FailureKind.Malformed, status);
                caller.Clear();
                return false;
            }

            call.Usage = usage;
            CopyContentHeaders(response, caller, withLength: false);
            caller.ContentLength = length;
            call.WriteGatewayHeaders(deployment);
            _outcome = AttemptOutcome.Served;
            await caller.Body.WriteAsync(buffer.AsMemory(0, length), cancellationToken);
            return false;
        }
        catch (Exception exception) when (exception is IOException or OperationCanceledException)
        {
            _outcome = AttemptOutcome.Abandoned;
            return false;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>A 4xx about the request itself goes to the caller as the upstream wrote it, unless a context-window fallback can take it.</summary>
    private async ValueTask<bool> PassRefusalThroughAsync(HttpResponseMessage response, int status, CancellationToken cancellationToken)
    {
        var caller = call.Context.Response;
        if (!(status == 400 && call.HasContextWindowFallbacks))
        {
            CopyContentHeaders(response, caller, withLength: true);
            call.WriteGatewayHeaders(deployment);
            _outcome = AttemptOutcome.PassedThrough;
            return true;
        }

        var (buffer, length, complete) = await PooledResponseBody.ReadAsync(response, MaxRefusalBytes, cancellationToken);
        try
        {
            var body = buffer.AsSpan(0, length);
            if (complete && (body.IndexOf("context_length_exceeded"u8) >= 0 || body.IndexOf("maximum context length"u8) >= 0))
            {
                _outcome = AttemptOutcome.Failed(FailureKind.ContextWindowExceeded, status);
                caller.Clear();
                return false;
            }

            CopyContentHeaders(response, caller, withLength: complete);
            call.WriteGatewayHeaders(deployment);
            _outcome = AttemptOutcome.PassedThrough;
            await caller.Body.WriteAsync(buffer.AsMemory(0, length), cancellationToken);
            return !complete;
        }
        catch (Exception exception) when (exception is IOException or OperationCanceledException)
        {
            _outcome = AttemptOutcome.Abandoned;
            return false;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The upstream's Content-Type as it sent it: read without parsing it into a header value object.</summary>
    private static string? RawContentType(HttpResponseMessage response) =>
        response.Content.Headers.NonValidated.TryGetValues(HeaderNames.ContentType, out var values) && values.Count > 0 ? values.ToString() : null;

    private static bool IsEventStream(string? contentType) =>
        contentType is not null && contentType.StartsWith(EventStream, StringComparison.OrdinalIgnoreCase)
        && (contentType.Length == EventStream.Length || contentType[EventStream.Length] is ';' or ' ');

    private static void CopyContentHeaders(HttpResponseMessage response, HttpResponse caller, bool withLength)
    {
        caller.ContentType = RawContentType(response) ?? "application/json";
        if (withLength && response.Content.Headers.ContentLength is { } length)
        {
            caller.ContentLength = length;
        }
    }

    public void RestoreResponseBody()
    {
        if (_callerBody is not null)
        {
            call.Context.Response.Body = _callerBody;
            _callerBody = null;
        }
    }

    /// <summary>What the attempt came to, from what the answer said and how the forwarding ended.</summary>
    public AttemptOutcome Finish(ForwarderError error)
    {
        if (_observer is not null)
        {
            call.Usage = _observer.Usage ?? call.Usage;
            call.FirstByteAt = _observer.FirstBytesAt;
            _observer.Dispose();
        }

        call.EndUpstreamWait();
        var response = call.Context.Response;
        if (error == ForwarderError.None)
        {
            return _outcome ?? AttemptOutcome.Abandoned;
        }

        if (response.HasStarted)
        {
            return AttemptOutcome.Abandoned;
        }

        var timedOut = call.Context.Features.Get<IForwarderErrorFeature>()?.Exception is OperationCanceledException && !call.Aborted.IsCancellationRequested;
        var outcome = error switch
        {
            ForwarderError.RequestCanceled or ForwarderError.RequestBodyCanceled or ForwarderError.RequestBodyClient
                or ForwarderError.ResponseBodyCanceled or ForwarderError.ResponseBodyClient => AttemptOutcome.Abandoned,
            _ when call.Aborted.IsCancellationRequested => AttemptOutcome.Abandoned,
            ForwarderError.RequestTimedOut => AttemptOutcome.Failed(FailureKind.Timeout),
            _ when timedOut => AttemptOutcome.Failed(FailureKind.Timeout),
            ForwarderError.ResponseHeaders => AttemptOutcome.Failed(FailureKind.Malformed),
            _ => AttemptOutcome.Failed(FailureKind.Connection),
        };
        response.Clear();
        return outcome;
    }
}
