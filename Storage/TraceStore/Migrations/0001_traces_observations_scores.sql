-- Langfuse-shaped trace tables. Updates are new rows with a newer event_ts; ReplacingMergeTree keeps the latest
-- (and drops rows marked is_deleted) as parts merge, so reads deduplicate with FINAL or LIMIT 1 BY id.
-- Written for a single node; the migrator adds ON CLUSTER and Replicated engines when ClickHouse:Cluster is set.
-- Every statement must be safe to run twice: replicas starting together may both apply a migration.

CREATE TABLE IF NOT EXISTS traces
(
    id String,
    project_id String,
    timestamp DateTime64(3, 'UTC'),
    name String,
    user_id Nullable(String),
    session_id Nullable(String),
    release Nullable(String),
    version Nullable(String),
    environment LowCardinality(String) DEFAULT 'default',
    public Bool DEFAULT false,
    bookmarked Bool DEFAULT false,
    tags Array(String),
    metadata Map(LowCardinality(String), String),
    input Nullable(String) CODEC(ZSTD(3)),
    output Nullable(String) CODEC(ZSTD(3)),
    created_at DateTime64(3, 'UTC') DEFAULT now64(3),
    updated_at DateTime64(3, 'UTC') DEFAULT now64(3),
    event_ts DateTime64(3, 'UTC'),
    is_deleted UInt8 DEFAULT 0,
    INDEX idx_id id TYPE bloom_filter(0.001) GRANULARITY 1
)
ENGINE = ReplacingMergeTree(event_ts, is_deleted)
PARTITION BY toYYYYMM(timestamp)
ORDER BY (project_id, toDate(timestamp), id);

CREATE TABLE IF NOT EXISTS observations
(
    id String,
    trace_id String,
    project_id String,
    type LowCardinality(String),
    parent_observation_id Nullable(String),
    start_time DateTime64(3, 'UTC'),
    end_time Nullable(DateTime64(3, 'UTC')),
    completion_start_time Nullable(DateTime64(3, 'UTC')),
    name String,
    level LowCardinality(String) DEFAULT 'DEFAULT',
    status_message Nullable(String),
    version Nullable(String),
    environment LowCardinality(String) DEFAULT 'default',
    metadata Map(LowCardinality(String), String),
    input Nullable(String) CODEC(ZSTD(3)),
    output Nullable(String) CODEC(ZSTD(3)),
    provided_model_name Nullable(String),
    model_parameters Nullable(String),
    usage_details Map(LowCardinality(String), UInt64),
    cost_details Map(LowCardinality(String), Float64),
    total_cost Nullable(Float64),
    prompt_name Nullable(String),
    prompt_version Nullable(UInt16),
    created_at DateTime64(3, 'UTC') DEFAULT now64(3),
    updated_at DateTime64(3, 'UTC') DEFAULT now64(3),
    event_ts DateTime64(3, 'UTC'),
    is_deleted UInt8 DEFAULT 0,
    INDEX idx_id id TYPE bloom_filter(0.001) GRANULARITY 1,
    INDEX idx_trace_id trace_id TYPE bloom_filter(0.001) GRANULARITY 1
)
ENGINE = ReplacingMergeTree(event_ts, is_deleted)
PARTITION BY toYYYYMM(start_time)
ORDER BY (project_id, type, toDate(start_time), id);

CREATE TABLE IF NOT EXISTS scores
(
    id String,
    project_id String,
    timestamp DateTime64(3, 'UTC'),
    name String,
    value Float64,
    string_value Nullable(String),
    data_type LowCardinality(String) DEFAULT 'NUMERIC',
    source LowCardinality(String) DEFAULT 'API',
    comment Nullable(String),
    trace_id Nullable(String),
    session_id Nullable(String),
    observation_id Nullable(String),
    config_id Nullable(String),
    environment LowCardinality(String) DEFAULT 'default',
    metadata Map(LowCardinality(String), String),
    created_at DateTime64(3, 'UTC') DEFAULT now64(3),
    updated_at DateTime64(3, 'UTC') DEFAULT now64(3),
    event_ts DateTime64(3, 'UTC'),
    is_deleted UInt8 DEFAULT 0
)
ENGINE = ReplacingMergeTree(event_ts, is_deleted)
PARTITION BY toYYYYMM(timestamp)
ORDER BY (project_id, toDate(timestamp), name, id);
