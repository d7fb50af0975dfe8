using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace Storage.TraceStore;

/// <summary>Stops the service at start with the setting's path when the trace store is configured wrongly.</summary>
internal sealed partial class TraceStoreOptionsValidator(TraceStoreTarget target) : IValidateOptions<TraceStoreOptions>
{
    public ValidateOptionsResult Validate(string? name, TraceStoreOptions options)
    {
        var failures = new List<string>();
        if (!Identifier().IsMatch(target.Database))
        {
            failures.Add($"{TraceStoreOptions.SectionName}:Database '{target.Database}' must be a plain identifier (letters, digits, '_').");
        }

        if (!string.IsNullOrWhiteSpace(options.Endpoint)
            && !(Uri.TryCreate(options.Endpoint, UriKind.Absolute, out var endpoint) && endpoint.Scheme is "http" or "https"))
        {
            failures.Add($"{TraceStoreOptions.SectionName}:Endpoint '{options.Endpoint}' must be an absolute http(s) URL such as http://clickhouse:8123.");
        }

        if (!string.IsNullOrWhiteSpace(options.Cluster))
        {
            if (target.IsEmbedded)
            {
                failures.Add($"{TraceStoreOptions.SectionName}:Cluster needs a ClickHouse server ({TraceStoreOptions.SectionName}:Endpoint or ConnectionStrings:{TraceStoreExtensions.ConnectionName}); the embedded store has no cluster.");
            }
            else if (!Identifier().IsMatch(options.Cluster))
            {
                failures.Add($"{TraceStoreOptions.SectionName}:Cluster '{options.Cluster}' must be a plain identifier.");
            }
        }

        if (options.EmbeddedHttpPort is { } port)
        {
            if (!target.IsEmbedded)
            {
                failures.Add($"{TraceStoreOptions.SectionName}:EmbeddedHttpPort serves the embedded store, but this process uses a ClickHouse server.");
            }
            else if (port is < 1 or > 65535)
            {
                failures.Add($"{TraceStoreOptions.SectionName}:EmbeddedHttpPort {port} is not a TCP port.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex Identifier();
}
