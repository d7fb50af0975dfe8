-- Read models for the dashboard, the trace list's totals, sessions and users, so those pages stop reading the wide
-- observations table with FINAL and joining it with traces. Both are ReplacingMergeTrees deduplicated like the base
-- tables: a new version of a row replaces the old one, it is never added to it, so updates and redelivered batches
-- cannot count twice.

-- generations: a narrow copy of every version of every GENERATION observation (no inputs, outputs or maps), filled
-- by the materialized view below on each insert into observations, with the source row's own version and deletion
-- flag. Same dedup key (project, day, id) and version (event_ts) as observations.
CREATE TABLE IF NOT EXISTS generations
(
    id String,
    trace_id String,
    project_id String,
    start_time DateTime64(3, 'UTC'),
    model LowCardinality(String),
    input_tokens UInt64,
    output_tokens UInt64,
    cost Float64,
    is_error UInt8,
    latency_ms Nullable(Int64),
    event_ts DateTime64(3, 'UTC'),
    is_deleted UInt8
)
ENGINE = ReplacingMergeTree(event_ts, is_deleted)
PARTITION BY toYYYYMM(start_time)
ORDER BY (project_id, toDate(start_time), id);

CREATE MATERIALIZED VIEW IF NOT EXISTS generations_from_observations TO generations AS
SELECT id, trace_id, project_id, start_time, coalesce(provided_model_name, '') AS model,
       usage_details['input'] AS input_tokens, usage_details['output'] AS output_tokens, coalesce(total_cost, 0) AS cost,
       level = 'ERROR' AS is_error, if(end_time IS NULL, NULL, dateDiff('millisecond', start_time, assumeNotNull(end_time))) AS latency_ms,
       event_ts, is_deleted
FROM observations
WHERE type = 'GENERATION';

-- The generations written before the view existed. Running it again (or while the view also copies new rows) only
-- adds versions the ReplacingMergeTree collapses.
INSERT INTO generations
SELECT id, trace_id, project_id, start_time, coalesce(provided_model_name, ''),
       usage_details['input'], usage_details['output'], coalesce(total_cost, 0),
       level = 'ERROR', if(end_time IS NULL, NULL, dateDiff('millisecond', start_time, assumeNotNull(end_time))),
       event_ts, is_deleted
FROM observations
WHERE type = 'GENERATION';

-- trace_summaries: per trace, its user and session and the totals of its observations' latest live versions.
-- Recomputed from the base tables (never incremented) by the ingestion worker after each write that touches the
-- trace or one of its observations, and after a deletion; the version is the server's clock when the recompute read,
-- so the latest recompute wins and it saw every write completed before it (TraceSummaryWriter).
CREATE TABLE IF NOT EXISTS trace_summaries
(
    trace_id String,
    project_id String,
    timestamp DateTime64(3, 'UTC'),
    user_id Nullable(String),
    session_id Nullable(String),
    observations UInt64,
    latency_ms Int64,
    input_tokens UInt64,
    output_tokens UInt64,
    tokens UInt64,
    cost Float64,
    level_rank UInt8,
    computed_at DateTime64(6, 'UTC'),
    is_deleted UInt8
)
ENGINE = ReplacingMergeTree(computed_at, is_deleted)
PARTITION BY toYYYYMM(timestamp)
ORDER BY (project_id, toDate(timestamp), trace_id);

-- The traces written before this migration. A recompute by the worker that runs at the same time reads later, so
-- it has the later version and wins. A trace without observations gets zeros (defaults, or NULLs inserted as
-- defaults when join_use_nulls is on).
INSERT INTO trace_summaries
SELECT t.id, t.project_id, t.timestamp, t.user_id, t.session_id, o.observations,
       if(o.observations = 0, 0, dateDiff('millisecond', o.first_start, o.last_end)),
       o.input_tokens, o.output_tokens, o.tokens, o.cost, o.level_rank, now64(6), 0
FROM (SELECT id, project_id, timestamp, user_id, session_id FROM traces FINAL WHERE is_deleted = 0) AS t
LEFT JOIN
(
    SELECT project_id, trace_id, count() AS observations, min(start_time) AS first_start, max(coalesce(end_time, start_time)) AS last_end,
           sum(usage_details['input']) AS input_tokens, sum(usage_details['output']) AS output_tokens,
           sum(if(mapContains(usage_details, 'total'), usage_details['total'], usage_details['input'] + usage_details['output'])) AS tokens,
           sum(coalesce(total_cost, 0)) AS cost, max(multiIf(level = 'ERROR', 3, level = 'WARNING', 2, level = 'DEFAULT', 1, 0)) AS level_rank
    FROM observations FINAL
    WHERE is_deleted = 0
    GROUP BY project_id, trace_id
) AS o ON o.project_id = t.project_id AND o.trace_id = t.id;
