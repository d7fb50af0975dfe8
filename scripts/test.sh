#!/usr/bin/env bash
# Runs every test from a fresh clone: installs what the tests need, builds everything but AppHost with
# warnings as errors, runs every test project, and ends with one line: N passed, N failed[, N skipped].
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/prerequisites.sh

require_dotnet
ensure_debian_packages postgresql redis-server nodejs npm chromium
require_kubectl
ensure_test_npm_packages
. scripts/lib/chdb.sh && ensure_chdb_engine

results="$PWD/TestResults"
rm -rf "$results"

dotnet build Platform.ci.slnf -c Release -nologo -clp:ErrorsOnly -warnaserror

set +e
dotnet test --solution Platform.ci.slnf -c Release --no-build --results-directory "$results" --report-trx
test_exit=$?
set -e

scripts/lib/summarize-trx.sh "$results"
summary_exit=$?
[ "$test_exit" -eq 0 ] && [ "$summary_exit" -eq 0 ]
