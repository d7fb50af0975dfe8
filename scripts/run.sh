#!/usr/bin/env bash
# Starts the whole platform in one process on the embedded stores, at http://localhost:4000.
# Arguments are passed to the host, e.g. --urls http://0.0.0.0:4000 or --Storage:DataDirectory ./data
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/prerequisites.sh

require_dotnet
# npm fetches the embedded trace store's engine (chDB) on first run.
ensure_debian_packages nodejs npm
. scripts/lib/chdb.sh && ensure_chdb_engine
dotnet build Standalone/Standalone.csproj -c Release -nologo -clp:ErrorsOnly
exec dotnet Standalone/bin/Release/net10.0/Standalone.dll "$@"
