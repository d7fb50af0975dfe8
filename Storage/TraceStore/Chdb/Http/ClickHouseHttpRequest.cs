using System.Text;
using Microsoft.AspNetCore.WebUtilities;

namespace Storage.TraceStore.Chdb.Http;

/// <summary>
/// What a ClickHouse HTTP request asks for in its URL: the query (or its first part), the database, the
/// output format, the query id, <c>param_*</c> values and every other parameter as a setting.
/// </summary>
internal sealed class ClickHouseHttpRequest
{
    private const string ParameterPrefix = "param_";

    // URL parameters the HTTP interface itself consumes; none of them is a setting.
    private static readonly HashSet<string> InterfaceParameters = new(StringComparer.Ordinal)
    {
        "query", "database", "default_format", "query_id", "user", "password", "quota_key", "role",
        "buffer_size", "wait_end_of_query", "stacktrace", "enable_http_compression", "session_timeout", "session_check",
    };

    // Asked-for behaviour this store cannot give; answered with an error rather than silently ignored.
    private static readonly HashSet<string> UnsupportedParameters = new(StringComparer.Ordinal)
    {
        "session_id", "compress", "decompress",
    };

    private ClickHouseHttpRequest(
        string? query, string? database, string format, string queryId,
        IReadOnlyList<KeyValuePair<string, string>> parameters, IReadOnlyDictionary<string, string> settings)
    {
        Query = query;
        Database = database;
        Format = format;
        QueryId = queryId;
        Parameters = parameters;
        Settings = settings;
    }

    public string? Query { get; }
    public string? Database { get; }
    public string Format { get; }
    public byte[] FormatBytes => Encoding.UTF8.GetBytes(Format);
    public string QueryId { get; }
    public IReadOnlyList<KeyValuePair<string, string>> Parameters { get; }
    public IReadOnlyDictionary<string, string> Settings { get; }

    /// <summary>The query id the caller chose, or a new one, as a server assigns.</summary>
    public static string QueryIdOf(Uri uri) =>
        QueryHelpers.ParseNullableQuery(uri.Query)?.TryGetValue("query_id", out var id) == true && !string.IsNullOrEmpty(id)
            ? id.ToString()
            : Guid.NewGuid().ToString();

    public static ClickHouseHttpRequest Parse(Uri uri, string queryId)
    {
        string? query = null, database = null, format = null;
        var parameters = new List<KeyValuePair<string, string>>();
        var settings = new Dictionary<string, string>(StringComparer.Ordinal);

        foreach (var (name, values) in QueryHelpers.ParseNullableQuery(uri.Query) ?? [])
        {
            var value = values.Count > 0 ? values[^1] ?? string.Empty : string.Empty;
            if (name.StartsWith(ParameterPrefix, StringComparison.Ordinal))
            {
                parameters.Add(new(name[ParameterPrefix.Length..], value));
            }
            else if (UnsupportedParameters.Contains(name))
            {
                if (value is not ("" or "0" or "false"))
                {
                    throw new ChdbException(ChdbException.NotImplemented, $"The embedded trace store does not support the HTTP parameter '{name}'.");
                }
            }
            else if (name == "query")
            {
                query = value;
            }
            else if (name == "database")
            {
                database = value;
            }
            else if (name == "default_format")
            {
                format = value;
            }
            else if (!InterfaceParameters.Contains(name))
            {
                settings[name] = value;
            }
        }

        return new ClickHouseHttpRequest(query, database, string.IsNullOrEmpty(format) ? "TabSeparated" : format, queryId, parameters, settings);
    }
}
