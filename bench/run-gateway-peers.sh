#!/usr/bin/env bash
# The gateway against a direct call, nginx and the Portkey gateway, on one fake upstream, in one run; writes
# docs/benchmarks/gateway-peers.md and .png (bench/run-all.sh puts them into docs/benchmarks.md).
# Usage: bench/run-gateway-peers.sh [--duration seconds] [--rounds n] [--targets nginx,portkey,gateway,gateway-traces,gateway-governed,gateway-entra]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/prerequisites.sh
require_dotnet
ensure_debian_packages wrk nginx gnuplot-nox nodejs npm redis-server
if [ ! -d bench/peers/node_modules ] || [ bench/peers/package-lock.json -nt bench/peers/node_modules ]; then
  npm ci --prefix bench/peers --no-audit --no-fund --loglevel=error
fi
for project in Gateway/Gateway.csproj bench/FakeLlmUpstream/FakeLlmUpstream.csproj bench/GatewayPeers/GatewayPeers.csproj; do
  dotnet build "$project" -c Release -nologo -clp:ErrorsOnly
done
exec dotnet bench/GatewayPeers/bin/Release/net10.0/GatewayPeers.dll "$@"
