#!/usr/bin/env bash
# Latency the gateway (and, for reference, nginx) adds over calling a fake OpenAI upstream directly; prints a Markdown table.
# Usage: bench/run-gateway-overhead.sh [--upstream-latency-ms N: mean wait of the slow upstream, spread from N/2 to 3N/2, default 100; 0 leaves out its rows] [--slow-concurrency C,…: calls in flight of its rows, default 64] [requests per run, default 2000] ["label=NAME=value;NAME=value" …: extra "key, Redis" gateways with those environment variables]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/prerequisites.sh
ensure_debian_packages nginx tcpdump
dotnet build Gateway/Gateway.csproj -c Release -nologo -clp:ErrorsOnly
dotnet build bench/FakeLlmUpstream/FakeLlmUpstream.csproj -c Release -nologo -clp:ErrorsOnly
dotnet build bench/GatewayOverhead/GatewayOverhead.csproj -c Release -nologo -clp:ErrorsOnly
exec dotnet bench/GatewayOverhead/bin/Release/net10.0/GatewayOverhead.dll "$@"
