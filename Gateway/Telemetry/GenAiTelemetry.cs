using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;
using Gateway.Inbound;
using Microsoft.Extensions.Hosting;

namespace Gateway.Telemetry;

/// <summary>
/// A model call as the OpenTelemetry GenAI semantic conventions describe a client call: a <c>gen_ai</c> span around
/// it and the <c>gen_ai.client.*</c> metrics. With nothing listening no span is created and no measurement is made.
/// </summary>
internal static class GenAiTelemetry
{
    private static readonly ActivitySource Source = new(ServiceDefaultsExtensions.GenAiTelemetryName);
    private static readonly Meter Meter = new(ServiceDefaultsExtensions.GenAiTelemetryName);

    private static readonly Histogram<long> TokenUsage = Meter.CreateHistogram("gen_ai.client.token.usage", "{token}", "Number of input and output tokens used.",
        advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864] });

    private static readonly Histogram<double> Duration = Meter.CreateHistogram("gen_ai.client.operation.duration", "s", "GenAI operation duration.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92] });

    private static readonly Histogram<double> TimeToFirstChunk = Meter.CreateHistogram("gen_ai.client.operation.time_to_first_chunk", "s",
        "Time to receive the first chunk of a streamed answer.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92] });

    /// <summary>Starts the call's span when something listens; dispose it where the call ends.</summary>
    public static Activity? Start(GatewayCall call)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        var operation = OperationName(call.Operation);
        var activity = Source.StartActivity($"{operation} {call.Fields.Model}", ActivityKind.Client);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("gen_ai.operation.name", operation);
            activity.SetTag("gen_ai.request.model", call.Fields.Model);
            if (call.Fields.MaxTokens is { } maxTokens)
            {
                activity.SetTag("gen_ai.request.max_tokens", maxTokens);
            }

            TagNumericParameters(activity, call);
        }

        call.Activity = activity;
        return activity;
    }

    /// <summary>Completes the span's attributes and records the metrics for a call that ended with <paramref name="status"/>.</summary>
    public static void Finish(GatewayCall call, int status, string? errorCode)
    {
        var activity = call.Activity;
        var measuring = Duration.Enabled || TokenUsage.Enabled || TimeToFirstChunk.Enabled;
        if (activity is not { IsAllDataRequested: true } && !measuring)
        {
            return;
        }

        var deployment = call.ServedBy ?? (call.FailedAttempts is { Count: > 0 } failed ? failed[^1].Deployment : null);
        var provider = deployment is null ? null : ProviderName(deployment.ProviderName);
        var responseModel = call.ServedBy?.Config.Params.ProviderModel;
        var errorType = status >= 400 ? errorCode ?? status.ToString(CultureInfo.InvariantCulture) : null;
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("gen_ai.provider.name", provider);
            activity.SetTag("gen_ai.response.model", responseModel);
            activity.SetTag("gateway.deployment", deployment?.Id);
            activity.SetTag("gateway.attempts", call.Attempts);
            if (call.Usage is { } usage)
            {
                activity.SetTag("gen_ai.usage.input_tokens", usage.PromptTokens);
                activity.SetTag("gen_ai.usage.output_tokens", usage.CompletionTokens);
                if (usage.CacheReadTokens > 0)
                {
                    activity.SetTag("gen_ai.usage.cache_read.input_tokens", usage.CacheReadTokens);
                }

                if (usage.CacheCreationTokens > 0)
                {
                    activity.SetTag("gen_ai.usage.cache_creation.input_tokens", usage.CacheCreationTokens);
                }
            }

            if (call.Fields.Stream && call.FirstByteAt > call.StartedAt)
            {
                activity.SetTag("gen_ai.response.time_to_first_chunk", Stopwatch.GetElapsedTime(call.StartedAt, call.FirstByteAt).TotalSeconds);
            }

            if (errorType is not null)
            {
                activity.SetTag("error.type", errorType);
                activity.SetStatus(ActivityStatusCode.Error, errorCode);
            }

            foreach (var attempt in call.FailedAttempts ?? [])
            {
                activity.AddEvent(new ActivityEvent("gateway.attempt.failed", tags: new ActivityTagsCollection
                {
                    ["gateway.deployment"] = attempt.Deployment.Id,
                    ["error.type"] = attempt.Outcome.Failure.ToString(),
                    ["http.response.status_code"] = attempt.Outcome.UpstreamStatus,
                }));
            }
        }

        if (!measuring)
        {
            return;
        }

        var tags = new TagList
        {
            { "gen_ai.operation.name", OperationName(call.Operation) },
            { "gen_ai.request.model", call.Fields.Model },
        };
        if (provider is not null)
        {
            tags.Add("gen_ai.provider.name", provider);
        }

        if (responseModel is not null)
        {
            tags.Add("gen_ai.response.model", responseModel);
        }

        if (call.Usage is { } tokens && TokenUsage.Enabled)
        {
            var input = tags;
            input.Add("gen_ai.token.type", "input");
            TokenUsage.Record(tokens.PromptTokens, input);
            var output = tags;
            output.Add("gen_ai.token.type", "output");
            TokenUsage.Record(tokens.CompletionTokens, output);
        }

        if (call.Fields.Stream && call.FirstByteAt > call.StartedAt)
        {
            TimeToFirstChunk.Record(Stopwatch.GetElapsedTime(call.StartedAt, call.FirstByteAt).TotalSeconds, tags);
        }

        if (errorType is not null)
        {
            tags.Add("error.type", errorType);
        }

        Duration.Record(Stopwatch.GetElapsedTime(call.StartedAt).TotalSeconds, tags);
    }

    /// <summary>The convention's operation names: <c>chat</c>, <c>text_completion</c>, <c>embeddings</c>.</summary>
    public static string OperationName(OpenAiOperation operation) => operation switch
    {
        OpenAiOperation.ChatCompletions => "chat",
        OpenAiOperation.Completions => "text_completion",
        _ => "embeddings",
    };

    /// <summary>The convention's provider names where LiteLLM's differ.</summary>
    public static string ProviderName(string provider) => provider switch
    {
        "azure" => "azure.ai.openai",
        "bedrock" => "aws.bedrock",
        _ => provider,
    };

    private static void TagNumericParameters(Activity activity, GatewayCall call)
    {
        var parameters = call.Fields.Parameters;
        for (var i = 0; i < parameters.Count; i++)
        {
            var name = parameters.Name(i);
            if (name is "temperature" or "top_p" or "top_k" or "frequency_penalty" or "presence_penalty" or "seed"
                && double.TryParse(Encoding.UTF8.GetString(parameters.Value(call.Body.Span, i)), NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            {
                activity.SetTag($"gen_ai.request.{name}", value);
            }
        }
    }
}
