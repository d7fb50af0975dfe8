#!/usr/bin/env bash
# The same targets as bench/run-gateway-peers.sh, offered fixed request rates open-loop (latency from each request's
# due time); writes docs/benchmarks/gateway-rate-sweep.md and .png (bench/run-all.sh puts them into docs/benchmarks.md).
# Usage: bench/run-gateway-rate-sweep.sh [--duration seconds per step] [--rates 500,1000,…] [--connections n]
#        [--targets nginx,portkey,gateway,gateway-traces,gateway-governed,gateway-entra] [--output path-prefix]
set -euo pipefail
exec "$(dirname "$0")/run-gateway-peers.sh" --mode rate "$@"
