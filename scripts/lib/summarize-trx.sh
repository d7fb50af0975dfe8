#!/usr/bin/env bash
# Prints per-project pass/fail counts from the TRX reports in a directory, then one closing line
# "N passed, N failed[, N skipped]". Exits non-zero when a test failed or when no test ran.
set -euo pipefail
results="${1:?usage: summarize-trx.sh <results-directory>}"

attribute() { grep -o "$1=\"[0-9]*\"" <<<"$2" | head -n 1 | grep -o '[0-9]*' || echo 0; }

passed=0; failed=0; skipped=0
shopt -s nullglob
for trx in "$results"/*.trx; do
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1 || true)
  project=$(basename "$trx" .trx); project=${project%%_net*}
  p=$(attribute passed "$counters"); f=$(attribute failed "$counters")
  total=$(attribute total "$counters"); executed=$(attribute executed "$counters")
  s=$(( total - executed ))
  f=$(( f + $(attribute error "$counters") + $(attribute timeout "$counters") + $(attribute aborted "$counters") ))
  printf '  %-28s %4d passed, %d failed%s\n' "$project" "$p" "$f" "$([ "$s" -gt 0 ] && echo ", $s skipped")"
  passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
done

line="$passed passed, $failed failed"
[ "$skipped" -gt 0 ] && line="$line, $skipped skipped"
echo "$line"

if [ $((passed + failed)) -eq 0 ]; then
  echo "error: no test ran" >&2
  exit 1
fi
[ "$failed" -eq 0 ]
