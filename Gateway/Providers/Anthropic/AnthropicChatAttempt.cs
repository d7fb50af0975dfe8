using System.Buffers;
using System.Text.Json;
using Gateway.Apis;
using Gateway.Inbound;
using Gateway.Routing;
using Gateway.Translation;

namespace Gateway.Providers.Anthropic;

/// <summary>
/// An OpenAI chat completions call answered by an Anthropic deployment: the request translated to the Messages
/// API, the answer (JSON or the event stream, event by event, flushed as each arrives) translated back.
/// </summary>
internal sealed class AnthropicChatAttempt(GatewayCall call, Deployment deployment, TimeProvider clock)
{
    public async ValueTask<AttemptOutcome> RunAsync(HttpMessageInvoker invoker, int defaultMaxTokens, bool dropParams)
    {
        if (call.Operation != OpenAiOperation.ChatCompletions)
        {
            return await RefuseAsync(StatusCodes.Status400BadRequest,
                $"Model '{call.Fields.Model}' is served by Anthropic, which has no {call.Operation.UpstreamPath()} API; use /v1/chat/completions.", null);
        }

        byte[] body;
        bool includeUsage;
        try
        {
            body = OpenAiToAnthropicRequest.Translate(call.Body.Memory, deployment.Config.Params.ProviderModel, defaultMaxTokens, dropParams);
            includeUsage = IncludeUsage(call.Body.Memory);
        }
        catch (TranslationException exception)
        {
            return await RefuseAsync(StatusCodes.Status400BadRequest, exception.Message, exception.Param);
        }

        using var exchange = new AnthropicExchange(call, deployment, clock);
        if (await exchange.SendAsync(invoker, body, body.Length, countTokens: false, deployment.Config.Params.Extra.GetValueOrDefault(AnthropicExchange.VersionSetting), betas: null) is { } failed)
        {
            return failed;
        }

        var status = (int)exchange.Response.StatusCode;
        if (status is < 200 or >= 300)
        {
            var (failure, errorBody) = await exchange.JudgeErrorAsync();
            if (failure is { } outcome)
            {
                return outcome;
            }

            var (message, _) = ErrorBodies.Read(errorBody);
            return await RefuseAsync(status, message ?? $"The Anthropic API refused the request (HTTP {status}).", null);
        }

        try
        {
            return call.Fields.Stream
                ? await StreamAsync(exchange, includeUsage)
                : await AnswerAsync(exchange);
        }
        catch (Exception exception) when (exception is OperationCanceledException or HttpRequestException or IOException)
        {
            return call.Context.Response.HasStarted ? AttemptOutcome.Abandoned : exchange.Failure(exception);
        }
    }

    private static bool IncludeUsage(ReadOnlyMemory<byte> json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.TryGetProperty("stream_options", out var options) && options.ValueKind == JsonValueKind.Object
            && options.TryGetProperty("include_usage", out var include) && include.ValueKind == JsonValueKind.True;
    }

    private async ValueTask<AttemptOutcome> AnswerAsync(AnthropicExchange exchange)
    {
        var answer = await exchange.ReadAllAsync();
        if (answer is null || !AnthropicToOpenAiResponse.TryTranslate(answer, clock.GetUtcNow().ToUnixTimeSeconds(), out var translated, out var usage))
        {
            return AttemptOutcome.Failed(FailureKind.Malformed, (int)exchange.Response.StatusCode);
        }

        call.Usage = usage;
        var response = call.Context.Response;
        response.ContentType = "application/json";
        response.ContentLength = translated.Length;
        call.WriteGatewayHeaders(deployment);
        await response.Body.WriteAsync(translated, call.Aborted);
        return AttemptOutcome.Served;
    }

    private async ValueTask<AttemptOutcome> StreamAsync(AnthropicExchange exchange, bool includeUsage)
    {
        var response = call.Context.Response;
        var translator = new AnthropicToOpenAiStream(clock.GetUtcNow().ToUnixTimeSeconds(), includeUsage);
        using var events = new SseEventReader();
        var output = new ArrayBufferWriter<byte>(4096);
        var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            while (!translator.Finished)
            {
                var read = await exchange.ReadAsync(buffer);
                var arrived = read == 0 ? (events.Finish() is { } last ? [last] : []) : events.Read(buffer.AsSpan(0, read));
                foreach (var sse in arrived)
                {
                    if (!TryTranslate(translator, sse, output))
                    {
                        return response.HasStarted ? AttemptOutcome.Abandoned : AttemptOutcome.Failed(FailureKind.Malformed, (int)exchange.Response.StatusCode);
                    }

                    if (!response.HasStarted && translator.ErrorType is { } errorType)
                    {
                        // Broken off before the caller saw anything: another attempt can still answer.
                        return AttemptOutcome.Failed(errorType is "overloaded_error" or "api_error" ? FailureKind.ServerError : FailureKind.Malformed, 529);
                    }
                }

                if (output.WrittenCount > 0)
                {
                    if (!response.HasStarted)
                    {
                        response.ContentType = "text/event-stream; charset=utf-8";
                        response.Headers.CacheControl = "no-cache";
                        response.Headers["X-Accel-Buffering"] = "no";
                        call.WriteGatewayHeaders(deployment);
                        call.FirstByteAt = System.Diagnostics.Stopwatch.GetTimestamp();
                    }

                    await response.Body.WriteAsync(output.WrittenMemory, call.Aborted);
                    await response.Body.FlushAsync(call.Aborted);
                    output.ResetWrittenCount();
                }

                if (read == 0)
                {
                    break;
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            call.Usage = translator.Usage ?? call.Usage;
        }

        return !response.HasStarted ? AttemptOutcome.Failed(FailureKind.Malformed, (int)exchange.Response.StatusCode)
            : translator.Finished && translator.ErrorType is null ? AttemptOutcome.Served
            : AttemptOutcome.Abandoned;
    }

    private static bool TryTranslate(AnthropicToOpenAiStream translator, SseEvent sse, ArrayBufferWriter<byte> output)
    {
        try
        {
            translator.Translate(sse, output);
            return true;
        }
        catch (Exception exception) when (exception is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>A request the upstream (or the translation) refused, in OpenAI's error shape, as the caller's answer.</summary>
    private async ValueTask<AttemptOutcome> RefuseAsync(int status, string message, string? param)
    {
        call.WriteGatewayHeaders(deployment);
        await OpenAiErrors.InvalidRequest(status, message, param).ExecuteAsync(call.Context);
        return AttemptOutcome.PassedThrough;
    }
}
