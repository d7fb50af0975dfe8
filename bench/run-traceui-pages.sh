#!/usr/bin/env bash
# TraceUi page render times on a seeded embedded trace store; arguments: [traces] [observationsPerTrace] [requests] [dataDirectory]
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/prerequisites.sh
. scripts/lib/chdb.sh
require_dotnet
ensure_chdb_engine
dotnet build bench/TraceUiPages -c Release -nologo -clp:ErrorsOnly
# The machine may be shared: the load average before and after says how much the numbers measure others' work.
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) cores)"
dotnet bench/TraceUiPages/bin/Release/net10.0/TraceUiPages.dll "$@"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
