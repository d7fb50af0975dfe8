using System.Diagnostics;
using System.Globalization;
using ClickHouse.Driver.Utility;
using Storage.TraceStore;

/// <summary>
/// Generates traces and observations inside ClickHouse (<c>INSERT … SELECT … FROM numbers()</c>), straight into the
/// trace store's tables, in chunks so memory stays bounded. Traces spread evenly over the last <c>days</c> days; each
/// has one root span and <c>perTrace - 1</c> children, every other one a generation with usage and cost.
/// </summary>
internal static class TraceSeed
{
    private const long Chunk = 500_000;

    public static async Task SeedAsync(ClickHouseTraceStore store, string project, long traces, int perTrace, int days)
    {
        var spread = days * 86_400_000L;
        var clock = Stopwatch.StartNew();
        for (long start = 0; start < traces; start += Chunk)
        {
            var count = Math.Min(Chunk, traces - start);
            await store.Client.ExecuteNonQueryAsync($$"""
                INSERT INTO traces (id, project_id, timestamp, name, user_id, session_id, environment, tags, metadata, input, output, created_at, updated_at, event_ts)
                SELECT concat('t-', toString(number)) AS id, '{{project}}',
                       now64(3, 'UTC') - toIntervalMillisecond(intDiv(number * {{spread}}, {{traces}})) AS ts,
                       ['chat', 'search', 'checkout', 'summarise', 'classify'][number % 5 + 1],
                       concat('user-', toString(number % 5000)), concat('session-', toString(intDiv(number, 4))), 'production',
                       ['bench', if(number % 2 = 0, 'even', 'odd')], map('tenant', toString(number % 50)),
                       concat('{"messages":[{"role":"user","content":"question ', toString(number), '"}]}'), concat('answer ', toString(number)),
                       ts, ts, ts
                FROM numbers({{start}}, {{count}})
                """);
            await Console.Error.WriteLineAsync($"  traces {start + count:N0}/{traces:N0} ({clock.Elapsed.TotalSeconds:0}s)");
        }

        var observations = traces * perTrace;
        for (long start = 0; start < observations; start += Chunk * 2)
        {
            var count = Math.Min(Chunk * 2, observations - start);
            await store.Client.ExecuteNonQueryAsync($$"""
                INSERT INTO observations (id, trace_id, project_id, type, parent_observation_id, start_time, end_time, completion_start_time, name, level, status_message,
                                          environment, input, output, provided_model_name, usage_details, cost_details, total_cost, created_at, updated_at, event_ts)
                SELECT concat('t-', toString(t), '-', toString(i)), concat('t-', toString(t)), '{{project}}',
                       if(i = 0, 'SPAN', if(i % 2 = 1, 'GENERATION', 'SPAN')) AS kind,
                       if(i = 0, NULL, concat('t-', toString(t), '-0')),
                       now64(3, 'UTC') - toIntervalMillisecond(intDiv(t * {{spread}}, {{traces}})) + toIntervalMillisecond(i * 120) AS st,
                       st + toIntervalMillisecond(50 + (number * 7919) % 3000),
                       if(kind = 'GENERATION', st + toIntervalMillisecond(30 + (number * 31) % 400), NULL),
                       if(kind = 'GENERATION', 'llm-call', concat('step-', toString(i))),
                       if(number % 97 = 0, 'ERROR', 'DEFAULT'), if(number % 97 = 0, 'upstream error', NULL), 'production',
                       if(kind = 'GENERATION', '[{"role":"user","content":"hello"}]', NULL), if(kind = 'GENERATION', 'hi there', NULL),
                       if(kind = 'GENERATION', ['gpt-4o', 'gpt-4o-mini', 'claude-sonnet-4-5', 'gpt-4.1'][t % 4 + 1], NULL) AS model,
                       if(kind = 'GENERATION', map('input', toUInt64(200 + number % 1800), 'output', toUInt64(20 + number % 400), 'total', toUInt64(220 + number % 1800 + number % 400)), map()) AS usage,
                       if(kind = 'GENERATION', map('total', (200 + number % 1800) * 0.0000025 + (20 + number % 400) * 0.00001), map()),
                       if(kind = 'GENERATION', (200 + number % 1800) * 0.0000025 + (20 + number % 400) * 0.00001, NULL),
                       st, st, st
                FROM (SELECT number, intDiv(number, {{perTrace}}) AS t, number % {{perTrace}} AS i FROM numbers({{start}}, {{count}}))
                """);
            await Console.Error.WriteLineAsync($"  observations {start + count:N0}/{observations:N0} ({clock.Elapsed.TotalSeconds:0}s)");
        }
    }

    /// <summary>
    /// One trace of <paramref name="observations"/> observations starting now (a root span, spans under it every ten
    /// observations, generations under those), for the detail page of a wide trace; written once per data directory.
    /// </summary>
    public static async Task SeedWideTraceAsync(ClickHouseTraceStore store, string project, string traceId, int observations)
    {
        await store.Client.ExecuteNonQueryAsync($$"""
            INSERT INTO traces (id, project_id, timestamp, name, user_id, session_id, environment, tags, metadata, input, output, created_at, updated_at, event_ts)
            SELECT '{{traceId}}', '{{project}}', now64(3, 'UTC') AS ts, 'agent-run', 'user-wide', 'session-wide', 'production', ['bench', 'wide'], map(),
                   '{"messages":[{"role":"user","content":"plan a trip"}]}', 'done', ts, ts, ts
            """);
        await store.Client.ExecuteNonQueryAsync($$"""
            INSERT INTO observations (id, trace_id, project_id, type, parent_observation_id, start_time, end_time, completion_start_time, name, level,
                                      environment, input, output, provided_model_name, usage_details, cost_details, total_cost, created_at, updated_at, event_ts)
            SELECT concat('{{traceId}}-', toString(number)), '{{traceId}}', '{{project}}',
                   if(number % 10 = 0, 'SPAN', 'GENERATION') AS kind,
                   multiIf(number = 0, NULL, number % 10 = 0, '{{traceId}}-0', concat('{{traceId}}-', toString(intDiv(number, 10) * 10))),
                   now64(3, 'UTC') + toIntervalMillisecond(number * 40) AS st, st + toIntervalMillisecond(if(kind = 'SPAN', 400, 35)),
                   if(kind = 'GENERATION', st + toIntervalMillisecond(10), NULL), if(kind = 'GENERATION', 'llm-call', concat('step-', toString(number))), 'DEFAULT',
                   'production', if(kind = 'GENERATION', '[{"role":"user","content":"hello"}]', NULL), if(kind = 'GENERATION', 'hi there', NULL),
                   if(kind = 'GENERATION', 'gpt-4o-mini', NULL),
                   if(kind = 'GENERATION', map('input', toUInt64(300), 'output', toUInt64(40)), map()), if(kind = 'GENERATION', map('total', 0.00007), map()),
                   if(kind = 'GENERATION', 0.00007, NULL), st, st, st
            FROM numbers({{observations}})
            """);
    }

    public static async Task<long> CountAsync(ClickHouseTraceStore store, string table, string project, string traceId) =>
        Convert.ToInt64(await store.Client.ExecuteScalarAsync($"SELECT count() FROM {table} WHERE project_id = '{project}' AND trace_id = '{traceId}'"), CultureInfo.InvariantCulture);

    public static async Task<long> CountAsync(ClickHouseTraceStore store, string table, string project) =>
        Convert.ToInt64(await store.Client.ExecuteScalarAsync($"SELECT count() FROM {table} WHERE project_id = '{project}'"), CultureInfo.InvariantCulture);
}
