#!/usr/bin/env bash
# Bytes the gateway allocates per proxied call (in-process gateway against direct calls); prints a Markdown table.
# Usage: bench/run-gateway-allocations.sh [calls per row, default 5000]
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build bench/GatewayAllocations/GatewayAllocations.csproj -c Release -nologo -clp:ErrorsOnly
exec dotnet bench/GatewayAllocations/bin/Release/net10.0/GatewayAllocations.dll "$@"
