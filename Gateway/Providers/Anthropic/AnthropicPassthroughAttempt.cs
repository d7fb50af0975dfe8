using System.Buffers;
using System.Text.Json;
using Gateway.Inbound;
using Gateway.Routing;
using Gateway.Translation;
using Gateway.Usage;

namespace Gateway.Providers.Anthropic;

/// <summary>
/// A call that came in on Anthropic's own API, answered by an Anthropic deployment: the caller's bytes go up with
/// only the model name and the credentials changed, and the answer comes back byte for byte — a stream as each
/// read arrives — with its usage read on the way.
/// </summary>
internal sealed class AnthropicPassthroughAttempt(GatewayCall call, Deployment deployment, AnthropicInboundCall inbound, TimeProvider clock)
{
    public async ValueTask<AttemptOutcome> RunAsync(HttpMessageInvoker invoker)
    {
        var (body, length) = string.Equals(deployment.Config.Params.ProviderModel, inbound.Fields.BodyModel, StringComparison.Ordinal)
            ? (inbound.Body.Array, inbound.Body.Length)
            : ModelNameSplice.Apply(inbound.Body.Span, inbound.Fields, deployment.EncodedProviderModel);
        var headers = call.Context.Request.Headers;
        using var exchange = new AnthropicExchange(call, deployment, clock);
        if (await exchange.SendAsync(invoker, body, length, inbound.CountTokens, headers["anthropic-version"].ToString(), headers["anthropic-beta"].ToString()) is { } failed)
        {
            return failed;
        }

        var response = call.Context.Response;
        var status = (int)exchange.Response.StatusCode;
        if (status is < 200 or >= 300)
        {
            var (failure, errorBody) = await exchange.JudgeErrorAsync();
            if (failure is { } outcome)
            {
                return outcome;
            }

            response.StatusCode = status;
            await WriteAsync(errorBody, "application/json");
            return AttemptOutcome.PassedThrough;
        }

        try
        {
            return exchange.Response.Content.Headers.ContentType?.MediaType == "text/event-stream"
                ? await StreamAsync(exchange)
                : await AnswerAsync(exchange);
        }
        catch (Exception exception) when (exception is OperationCanceledException or HttpRequestException or IOException)
        {
            return response.HasStarted ? AttemptOutcome.Abandoned : exchange.Failure(exception);
        }
    }

    private async ValueTask<AttemptOutcome> AnswerAsync(AnthropicExchange exchange)
    {
        var answer = await exchange.ReadAllAsync();
        if (answer is null || !TryReadUsage(answer, out var usage))
        {
            return AttemptOutcome.Failed(FailureKind.Malformed, (int)exchange.Response.StatusCode);
        }

        call.Usage = usage;
        await WriteAsync(answer, "application/json");
        return AttemptOutcome.Served;
    }

    private async ValueTask<AttemptOutcome> StreamAsync(AnthropicExchange exchange)
    {
        var response = call.Context.Response;
        using var events = new SseEventReader();
        var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        TokenUsage? usage = null;
        var finished = false;
        try
        {
            while (true)
            {
                var read = await exchange.ReadAsync(buffer);
                if (read == 0)
                {
                    break;
                }

                foreach (var sse in events.Read(buffer.AsSpan(0, read)))
                {
                    switch (sse.Name)
                    {
                        case "message_start" or "message_delta":
                            usage = ReadStreamUsage(sse.Data, usage) ?? usage;
                            break;
                        case "message_stop":
                            finished = true;
                            break;
                        case "error" when !response.HasStarted:
                            // Broken off before the caller saw anything: another attempt can still answer.
                            return AttemptOutcome.Failed(FailureKind.ServerError, 529);
                    }
                }

                if (!response.HasStarted)
                {
                    response.ContentType = exchange.Response.Content.Headers.ContentType!.ToString();
                    response.Headers.CacheControl = "no-cache";
                    response.Headers["X-Accel-Buffering"] = "no";
                    call.WriteGatewayHeaders(deployment);
                    call.FirstByteAt = System.Diagnostics.Stopwatch.GetTimestamp();
                }

                await inbound.CallerBody.WriteAsync(buffer.AsMemory(0, read), call.Aborted);
                await inbound.CallerBody.FlushAsync(call.Aborted);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            call.Usage = usage ?? call.Usage;
        }

        return !response.HasStarted ? AttemptOutcome.Failed(FailureKind.Malformed, (int)exchange.Response.StatusCode)
            : finished ? AttemptOutcome.Served
            : AttemptOutcome.Abandoned;
    }

    private async ValueTask WriteAsync(byte[] body, string contentType)
    {
        var response = call.Context.Response;
        response.ContentType = contentType;
        response.ContentLength = body.Length;
        call.WriteGatewayHeaders(deployment);
        await inbound.CallerBody.WriteAsync(body, call.Aborted);
    }

    /// <summary>A message's (or a token count's) usage; false when the answer is not a JSON object.</summary>
    private static bool TryReadUsage(byte[] answer, out TokenUsage? usage)
    {
        usage = null;
        try
        {
            using var document = JsonDocument.Parse(answer);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return false;
            }

            if (root.TryGetProperty("usage", out var found))
            {
                usage = UsageShapes.FromAnthropic(found);
            }

            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static TokenUsage? ReadStreamUsage(byte[] data, TokenUsage? earlier)
    {
        try
        {
            using var document = JsonDocument.Parse(data);
            var root = document.RootElement;
            var usage = root.TryGetProperty("message", out var message) && message.TryGetProperty("usage", out var started) ? started
                : root.TryGetProperty("usage", out var delta) ? delta
                : default;
            return usage.ValueKind == JsonValueKind.Object ? UsageShapes.FromAnthropic(usage, earlier) : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
