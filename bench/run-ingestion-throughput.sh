#!/usr/bin/env bash
# Ingestion throughput and lag on the embedded stores; arguments: [seconds] [concurrency] [eventsPerBatch]
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/prerequisites.sh
. scripts/lib/chdb.sh
require_dotnet
ensure_chdb_engine
dotnet build bench/IngestionThroughput -c Release -nologo -clp:ErrorsOnly
dotnet bench/IngestionThroughput/bin/Release/net10.0/IngestionThroughput.dll "$@"
