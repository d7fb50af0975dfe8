using System.Buffers;
using System.Text.Json;
using Gateway.Inbound;
using Gateway.Providers.Bedrock.Converse;
using Gateway.Providers.Bedrock.EventStream;
using Gateway.Routing;

namespace Gateway.Providers.Bedrock;

/// <summary>
/// A chat completion through Converse (JSON) or ConverseStream (AWS event stream → OpenAI server-sent events,
/// flushed per event). Nothing reaches the caller until Bedrock's first event is in, so a throttled or failing
/// stream can still be retried or fall back.
/// </summary>
internal static class ConverseCall
{
    private const int MaxAnswerBytes = 64 * 1024 * 1024;

    public static async ValueTask<AttemptOutcome> SendAsync(GatewayCall call, Deployment deployment, BedrockRuntimeClient client, bool dropParams, TimeProvider clock)
    {
        var target = client.Target;
        var body = new ArrayBufferWriter<byte>(call.Body.Length + 256);
        ConverseRequestShape shape;
        try
        {
            using var request = JsonDocument.Parse(call.Body.Memory);
            using var json = new Utf8JsonWriter(body);
            shape = ConverseRequestWriter.Write(request.RootElement, target.ModelId, dropParams, json);
        }
        catch (ConverseRequestException exception)
        {
            call.WriteGatewayHeaders(deployment);
            await OpenAiErrors.InvalidRequest(StatusCodes.Status400BadRequest, exception.Message, exception.Param).ExecuteAsync(call.Context);
            return AttemptOutcome.PassedThrough;
        }

        var stream = call.Fields.Stream;
        using var timer = new UpstreamTimer(stream ? deployment.StreamTimeout : deployment.Timeout, call.Aborted);
        call.BeginUpstreamWait();
        var (response, outcome) = await client.SendAsync(call, deployment, target.ActionUri(stream ? "converse-stream" : "converse"), body.WrittenMemory,
            stream ? "application/vnd.amazon.eventstream" : "application/json", timer);
        if (response is null)
        {
            call.EndUpstreamWait();
            return outcome;
        }

        using (response)
        {
            var id = "chatcmpl-" + Guid.NewGuid().ToString("N");
            var created = clock.GetUtcNow().ToUnixTimeSeconds();
            return stream
                ? await StreamAsync(call, deployment, response, new ConverseStreamTranslator(id, target.ModelId, created, shape), timer)
                : await AnswerAsync(call, deployment, response, target.ModelId, id, created, shape, timer);
        }
    }

    private static async ValueTask<AttemptOutcome> AnswerAsync(
        GatewayCall call, Deployment deployment, HttpResponseMessage response, string model, string id, long created, ConverseRequestShape shape, UpstreamTimer timer)
    {
        byte[] buffer;
        int length;
        try
        {
            (buffer, length) = await BedrockRuntimeClient.ReadAsync(response, MaxAnswerBytes, timer);
        }
        catch (Exception exception) when (exception is OperationCanceledException or HttpRequestException or IOException)
        {
            call.EndUpstreamWait();
            return timer.Outcome(call, FailureKind.Connection);
        }

        call.EndUpstreamWait();
        var answer = new ArrayBufferWriter<byte>(length + 256);
        try
        {
            using var document = JsonDocument.Parse(buffer.AsMemory(0, length));
            using var json = new Utf8JsonWriter(answer);
            call.Usage = ConverseResponseWriter.Write(document.RootElement, model, id, created, shape.JsonToolName, json);
        }
        catch (Exception exception) when (exception is JsonException or FormatException or KeyNotFoundException or InvalidOperationException)
        {
            return AttemptOutcome.Failed(FailureKind.Malformed, (int)response.StatusCode);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        var caller = call.Context.Response;
        caller.ContentType = "application/json";
        caller.ContentLength = answer.WrittenCount;
        call.WriteGatewayHeaders(deployment);
        try
        {
            await caller.Body.WriteAsync(answer.WrittenMemory, call.Aborted);
            return AttemptOutcome.Served;
        }
        catch (Exception exception) when (exception is OperationCanceledException or IOException)
        {
            return AttemptOutcome.Abandoned;
        }
    }

    private static async ValueTask<AttemptOutcome> StreamAsync(GatewayCall call, Deployment deployment, HttpResponseMessage response, ConverseStreamTranslator translator, UpstreamTimer timer)
    {
        using var events = new EventStreamReader(await response.Content.ReadAsStreamAsync(timer.Token));
        EventStreamMessage? first;
        try
        {
            timer.Restart();
            first = await events.ReadAsync(timer.Token);
        }
        catch (EventStreamFormatException)
        {
            call.EndUpstreamWait();
            return AttemptOutcome.Failed(FailureKind.Malformed, (int)response.StatusCode);
        }
        catch (Exception exception) when (exception is OperationCanceledException or HttpRequestException or IOException)
        {
            call.EndUpstreamWait();
            return timer.Outcome(call, FailureKind.Connection);
        }

        call.EndUpstreamWait();
        if (first is null)
        {
            return AttemptOutcome.Failed(FailureKind.Malformed, (int)response.StatusCode);
        }

        if (first.MessageType is "exception" or "error")
        {
            return await BedrockRuntimeClient.FailOrRefuseAsync(call, deployment, ErrorOf(first));
        }

        var caller = call.Context.Response;
        caller.ContentType = "text/event-stream; charset=utf-8";
        caller.Headers.CacheControl = "no-cache";
        // Reverse proxies in front of the gateway (nginx ingress) must not buffer the events either.
        caller.Headers["X-Accel-Buffering"] = "no";
        call.WriteGatewayHeaders(deployment);
        var output = new ArrayBufferWriter<byte>(1024);
        var message = first;
        try
        {
            while (message is not null)
            {
                if (message.MessageType is "exception" or "error")
                {
                    // The answer has started: the error can only be told in the stream, as OpenAI does.
                    WriteStreamError(ErrorOf(message), output);
                    return await BreakAsync(call, output);
                }

                translator.Translate(message, output);
                if (output.WrittenCount > 0)
                {
                    await SendAsync(caller, output, call.Aborted);
                }

                timer.Restart();
                message = await events.ReadAsync(timer.Token);
            }

            if (!translator.Stopped)
            {
                WriteStreamError(new BedrockError("ModelStreamErrorException", "The Bedrock stream ended before the answer was complete.", 502), output);
                return await BreakAsync(call, output);
            }

            ConverseStreamTranslator.WriteDone(output);
            await SendAsync(caller, output, call.Aborted);
            return AttemptOutcome.Served;
        }
        catch (Exception exception) when (exception is EventStreamFormatException or FormatException or HttpRequestException
                                              or (OperationCanceledException or IOException) && !call.Aborted.IsCancellationRequested)
        {
            var reason = exception is OperationCanceledException ? "Bedrock sent nothing within the deployment's stream timeout." : "The Bedrock stream broke: " + exception.Message;
            output.Clear();
            WriteStreamError(new BedrockError("ModelStreamErrorException", reason, 502), output);
            return await BreakAsync(call, output);
        }
        catch (Exception exception) when (exception is OperationCanceledException or IOException)
        {
            return AttemptOutcome.Abandoned;
        }
        finally
        {
            call.Usage = translator.Usage ?? call.Usage;
        }
    }

    private static BedrockError ErrorOf(EventStreamMessage message) => message.MessageType == "error"
        ? new BedrockError(message.Header(":error-code") ?? "InternalServerException", message.Header(":error-message") ?? "Bedrock stream error", 500)
        : BedrockError.FromEvent(message.Header(":exception-type"), message.Payload.Span);

    /// <summary>An error inside a started stream: <c>data: {"error": …}</c>, which OpenAI's SDKs raise as an API error.</summary>
    private static void WriteStreamError(BedrockError error, IBufferWriter<byte> output)
    {
        output.Write("data: "u8);
        using (var json = new Utf8JsonWriter(output))
        {
            json.WriteStartObject();
            json.WriteStartObject("error");
            json.WriteString("message", $"Bedrock {error.Type}: {error.Message}");
            json.WriteString("type", error.Status == 429 ? "rate_limit_error" : "server_error");
            json.WriteNull("param");
            json.WriteString("code", error.Type);
            json.WriteEndObject();
            json.WriteEndObject();
        }

        output.Write("\n\n"u8);
    }

    private static async ValueTask SendAsync(HttpResponse caller, ArrayBufferWriter<byte> output, CancellationToken cancellationToken)
    {
        await caller.Body.WriteAsync(output.WrittenMemory, cancellationToken);
        await caller.Body.FlushAsync(cancellationToken);
        output.ResetWrittenCount();
    }

    /// <summary>
    /// Sends the error event and ends the stream without <c>[DONE]</c>, as LiteLLM does: OpenAI's Python and
    /// Node SDKs raise the error; no client mistakes the partial answer for a whole one.
    /// </summary>
    private static async ValueTask<AttemptOutcome> BreakAsync(GatewayCall call, ArrayBufferWriter<byte> output)
    {
        try
        {
            await SendAsync(call.Context.Response, output, call.Aborted);
        }
        catch (Exception exception) when (exception is OperationCanceledException or IOException)
        {
        }

        return AttemptOutcome.Abandoned;
    }
}
