#!/usr/bin/env bash
# Ingestion throughput and lag; arguments: [seconds] [concurrency] [eventsPerBatch] [--distributed] [--otlp]
# (embedded stores by default; --distributed starts PostgreSQL, Redis, an S3 server and a ClickHouse HTTP interface).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/prerequisites.sh
. scripts/lib/chdb.sh
require_dotnet
ensure_chdb_engine
if [[ " $* " == *" --distributed "* ]]; then
  ensure_debian_packages postgresql redis-server nodejs npm
  ensure_test_npm_packages
fi
dotnet build bench/IngestionThroughput -c Release -nologo -clp:ErrorsOnly
dotnet bench/IngestionThroughput/bin/Release/net10.0/IngestionThroughput.dll "$@"
