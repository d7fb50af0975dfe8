#!/usr/bin/env bash
# Runs every benchmark scenario and regenerates the tables in docs/benchmarks.md (between its
# <!-- generated:NAME --> markers; the prose around them is kept). Takes about 55 minutes on a quiet 2-core machine
# (the gateway rate sweep about 12 of them, the fixed-rate ingestion runs about 10; the first TraceUi run seeds
# 1,000,000 traces in under 2 minutes).
# Run it on a quiet machine: the scenarios share the cores with everything else that runs.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p docs/benchmarks

bench/run-gateway-peers.sh --output docs/benchmarks/gateway-peers
bench/run-gateway-rate-sweep.sh --output docs/benchmarks/gateway-rate-sweep

{
  echo '```'
  bench/run-gateway-overhead.sh 4000
  echo '```'
} > docs/benchmarks/gateway-overhead.md

{
  echo '```'
  for clients in 1 2 8; do
    bench/run-ingestion-throughput.sh 20 "$clients" 100
    echo
  done
  bench/run-ingestion-throughput.sh 20 8 100 --otlp
  echo
  bench/run-ingestion-throughput.sh 20 8 100 --distributed
  echo
  bench/run-ingestion-throughput.sh 20 8 100 --distributed --otlp
  echo
  echo '```'
} > docs/benchmarks/ingestion-throughput.md

rate_reports="$(mktemp -d)"
bench/run-ingestion-throughput.sh 20 1 100 --rates 5000,10000,15000,20000,25000,30000 --output "$rate_reports/embedded.md"
bench/run-ingestion-throughput.sh 20 1 100 --distributed --rates 5000,10000,15000,20000 --output "$rate_reports/distributed.md"
{
  cat "$rate_reports/embedded.md"
  echo
  cat "$rate_reports/distributed.md"
} > docs/benchmarks/ingestion-rate-sweep.md
rm -r "$rate_reports"

{
  echo '```'
  bench/run-otlp-mapping.sh 100000
  echo '```'
} > docs/benchmarks/otlp-mapping.md

{
  echo '```'
  bench/run-traceui-pages.sh 1000000 10 20
  echo '```'
} > docs/benchmarks/traceui-pages.md

bench/lib/insert-generated.sh docs/benchmarks.md docs/benchmarks/*.md
echo "docs/benchmarks.md regenerated from docs/benchmarks/*.md"
